"""A CSRF token is bound to the login session it was issued in [ASVS 3.5.1].

A token copied from one login session is worthless anywhere else: in another login
session of the same user (another device) and for a client that isn't logged in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.helpers import HTMX, add_todo, client_for, csrf_token, fetch, log_in, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

FORBIDDEN = "This form has expired or came from another site."


async def done_flags(db: AsyncSession) -> list[bool]:
    return [bool(row.done) for row in await fetch(db, "SELECT done FROM todos ORDER BY id")]


async def toggle_with(
    client: httpx2.AsyncClient, token: str, *, htmx: bool, browser: bool = False
) -> httpx2.Response:
    """Toggle todo 1 with `token`, in the form field or, as htmx sends it, in a header.

    `browser`: labelled the way a browser labels a request from our own page.
    """
    headers = {"Sec-Fetch-Site": "same-origin"} if browser else {}
    if htmx:
        headers |= {"X-CSRF-Token": token} | HTMX
        return await client.post("/todos/1/toggle", headers=headers)
    return await client.post("/todos/1/toggle", data={"csrf_token": token}, headers=headers)


async def test_a_csrf_token_is_refused_in_another_login_session_of_the_same_user(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    account = await sign_up(client)
    await add_todo(client, "mine")
    first_token = await csrf_token(client, "/")
    async with client_for(app) as other_device:
        assert (await log_in(other_device, account.email, account.password)).status_code == 303

        for htmx in (False, True):
            response = await toggle_with(other_device, first_token, htmx=htmx)
            assert response.status_code == 403, response.text
            assert FORBIDDEN in response.text
            # From a page of ours, the mismatch is a stale page: sent on, nothing done.
            response = await toggle_with(other_device, first_token, htmx=htmx, browser=True)
            assert response.status_code in (204, 303), response.text
        assert await done_flags(db) == [False]

        # The token still works where it came from: the refusal was about the session.
        response = await toggle_with(client, first_token, htmx=False)
        assert response.status_code == 303, response.text
        assert await done_flags(db) == [True]
        # And the other session's own token works there.
        response = await toggle_with(other_device, await csrf_token(other_device, "/"), htmx=True)
        assert response.status_code == 200, response.text
        assert await done_flags(db) == [False]


async def test_a_login_sessions_csrf_token_is_refused_for_an_anonymous_client(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    account = await sign_up(client)
    await add_todo(client, "mine")
    token = await csrf_token(client, "/")
    sessions = await fetch(db, "SELECT id FROM login_sessions")
    assert len(sessions) == 1

    async with client_for(app) as anonymous:
        # With no cookie at all, and with the pre-login cookie the login page sets.
        for visit_first in (False, True):
            if visit_first:
                assert (await anonymous.get("/login")).status_code == 200
            response = await anonymous.post(
                "/login",
                data={"csrf_token": token, "email": account.email, "password": account.password},
            )
            assert response.status_code == 403, response.text
            assert FORBIDDEN in response.text
            assert "session" not in anonymous.cookies
            response = await anonymous.post(
                "/signup",
                data={
                    "csrf_token": token,
                    "email": "eve@example.com",
                    "password": "purple elephant orbit",
                },
            )
            assert response.status_code == 403, response.text
        assert await fetch(db, "SELECT id FROM login_sessions") == sessions
        assert [row.email for row in await fetch(db, "SELECT email FROM users")] == [account.email]

        # Its own token works: the refusals were about the token.
        assert (await log_in(anonymous, account.email, account.password)).status_code == 303
        assert len(await fetch(db, "SELECT id FROM login_sessions")) == 2
