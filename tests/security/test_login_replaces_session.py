"""Logging in from a browser that already has a login session ends that session
[ASVS 7.2.4]: its row is deleted and its cookie is anonymous from then on. The user's
sessions on other devices are not touched.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest

from tests.helpers import client_for, fetch, log_in, post_form, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette


def row_id(cookie: str) -> str:
    """The login_sessions id of a session cookie: the table keeps only its digest."""
    return hashlib.sha256(cookie.encode()).hexdigest()


async def session_ids(db: AsyncSession) -> set[str]:
    return {row.id for row in await fetch(db, "SELECT id FROM login_sessions")}


@pytest.mark.parametrize("as_whom", ["the same user", "another user"])
async def test_logging_in_again_ends_the_browsers_previous_session(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession, as_whom: str
) -> None:
    first = await sign_up(client, "ada@example.com")
    async with client_for(app) as elsewhere:
        second = await sign_up(elsewhere, "grace@example.com")
    who = first if as_whom == "the same user" else second
    async with client_for(app) as other_device:
        assert (await log_in(other_device, first.email, first.password)).status_code == 303
        other_device_cookie = other_device.cookies["session"]
        old_cookie = client.cookies["session"]
        sessions_before = await session_ids(db)
        assert {row_id(old_cookie), row_id(other_device_cookie)} <= sessions_before

        # The logged-in list page's own form token, as a browser on that page would send.
        response = await post_form(
            client, "/login", {"email": who.email, "password": who.password}, token_from="/"
        )

        assert response.status_code == 303, response.text
        new_cookie = client.cookies["session"]
        assert new_cookie != old_cookie
        sessions_after = await session_ids(db)
        assert row_id(old_cookie) not in sessions_after
        assert sessions_after == sessions_before - {row_id(old_cookie)} | {row_id(new_cookie)}
        # The old cookie, replayed, is anonymous; the new one and the other device's work.
        async with client_for(app) as replay:
            replay.cookies.set("session", old_cookie)
            page = await replay.get("/")
            assert page.status_code == 303
            assert page.headers["location"].startswith("/login")
        page = await client.get("/")
        assert page.status_code == 200
        assert who.email in page.text
        page = await other_device.get("/")
        assert page.status_code == 200
        assert first.email in page.text
