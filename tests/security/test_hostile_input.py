"""What outside scanners sent that once gave a 500: each is a clear 4xx, and saves nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.helpers import HTMX, add_todo, csrf_token, fetch, post_form, settings_for, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession

    from tests.helpers import Account


@pytest.mark.parametrize("where", ["field", "header"])
@pytest.mark.parametrize("path", ["/login", "/signup", "/todos", "/logout", "/todos/1/toggle"])
async def test_a_non_ascii_csrf_token_is_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, where: str, path: str
) -> None:
    await add_todo(client, "x")
    token = "é" * 64
    if where == "field":
        response = await client.post(path, data={"csrf_token": token, "title": "new"})
    else:
        # Headers travel as Latin-1; a browser would never send this.
        response = await client.post(path, headers={"X-CSRF-Token": token.encode()})
    assert response.status_code == 403
    assert [row.title for row in await fetch(db, "SELECT title FROM todos")] == ["x"]


@pytest.mark.parametrize("origin", ["http://[", "http://[::1", "\u00e9://x"])
async def test_a_malformed_origin_is_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, origin: str
) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/todos",
        data={"csrf_token": token, "title": "new"},
        headers={"Origin": origin.encode()},
    )
    assert response.status_code == 403
    assert await fetch(db, "SELECT id FROM todos") == []


@pytest.mark.parametrize(
    "todo_id", ["9" * 4301, "9223372036854775808", "99999999999999999999", "0", "²", "１"]
)
async def test_todo_ids_past_64_bits_or_not_ascii_digits_are_not_found(
    client: httpx2.AsyncClient, user: Account, todo_id: str
) -> None:
    assert (await client.get(f"/todos/{todo_id}/edit")).status_code == 404
    assert (await post_form(client, f"/todos/{todo_id}/toggle")).status_code == 404
    assert (await post_form(client, f"/deletions/{todo_id}/undo")).status_code == 404


@pytest.mark.parametrize("after", ["²", "①", "9223372036854775808", "-1", "1e3", "9" * 5000])
async def test_a_page_cursor_that_cant_be_an_id_is_400(
    client: httpx2.AsyncClient, user: Account, after: str
) -> None:
    response = await client.get("/", params={"after": after})
    assert response.status_code == 400
    assert "That page link is not valid." in response.text


@pytest.mark.parametrize("charset", ["unicode_escape", "utf-7", "utf-16", "latin-1"])
@pytest.mark.parametrize("field", ["title", "description"])
async def test_a_form_in_another_charset_is_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, charset: str, field: str
) -> None:
    token = await csrf_token(client, "/")
    # \ud800 is a lone surrogate once decoded as unicode_escape.
    value = b"\\ud800 smuggled" if charset == "unicode_escape" else b"+2AA- smuggled"
    fields = {"csrf_token": token.encode(), "title": b"ok", field: value}
    body = (
        b"".join(
            b'--x\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + data
            + b"\r\n"
            for name, data in fields.items()
        )
        + b"--x--\r\n"
    )
    response = await client.post(
        "/todos",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary=x; charset={charset}"},
    )
    assert response.status_code == 400
    assert "Forms must be sent as UTF-8." in response.text
    assert await fetch(db, "SELECT id FROM todos") == []


async def test_lone_surrogates_in_sign_up_and_login_are_refused(
    client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    for path in ("/signup", "/login"):
        token = await csrf_token(client, path)
        body = (
            b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + token.encode()
            + b'\r\n--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n'
            + b"a\\udc80@example.com"
            + b'\r\n--x\r\nContent-Disposition: form-data; name="password"\r\n\r\n'
            + b"\\ud800\\ud800pass"
            + b"\r\n--x--\r\n"
        )
        response = await client.post(
            path,
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=x; charset=unicode_escape"},
        )
        assert response.status_code == 400
    assert await fetch(db, "SELECT id FROM users") == []


@pytest.mark.parametrize("path", ["/signup", "/login"])
async def test_head_with_a_form_body_never_runs_the_post_handler(
    client: httpx2.AsyncClient, db: AsyncSession, path: str
) -> None:
    token = await csrf_token(client, path)
    form = {"csrf_token": token, "email": "head@example.com", "password": "long enough passphrase"}
    response = await client.request(
        "HEAD",
        path,
        content="&".join(f"{k}={v}" for k, v in form.items()),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "session" not in response.cookies
    assert await fetch(db, "SELECT id FROM users") == []


async def test_sign_ups_are_throttled_per_client_address(
    database_url: str, db: AsyncSession
) -> None:
    from tests.helpers import client_for
    from webapp.app import create_app

    app = create_app(settings_for(database_url, signups_per_address=3))
    async with app.router.lifespan_context(app):
        for n in range(3):
            async with client_for(app, "198.51.100.7") as visitor:
                await sign_up(visitor, f"user{n}@example.com")
        async with client_for(app, "198.51.100.7") as visitor:
            token = await csrf_token(visitor, "/signup")
            response = await visitor.post(
                "/signup",
                data={"csrf_token": token, "email": "ada@example.com", "password": "x" * 12},
            )
            assert response.status_code == 429
            assert response.headers["retry-after"].isdigit()
            assert "Too many sign-ups from your network just now." in response.text
        async with client_for(app, "198.51.100.8") as elsewhere:
            await sign_up(elsewhere, "other@example.com")
    assert len(await fetch(db, "SELECT id FROM users")) == 4


async def test_a_taken_email_costs_a_password_hash_like_a_new_one(
    client: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webapp import auth

    hashed: list[str] = []
    real = auth.hash_password

    async def counting(password: str) -> str:
        hashed.append(password)
        return await real(password)

    monkeypatch.setattr(auth, "hash_password", counting)
    await sign_up(client, "taken@example.com")
    client.cookies.clear()
    token = await csrf_token(client, "/signup")
    response = await client.post(
        "/signup",
        data={"csrf_token": token, "email": "taken@example.com", "password": "another passphrase"},
    )
    assert response.status_code == 422
    assert "An account with this email already exists." in response.text
    assert 'href="/login">Log in instead</a>' in response.text
    assert len(hashed) == 2


async def test_htmx_headers_with_odd_bytes_are_not_a_server_error(
    client: httpx2.AsyncClient, user: Account
) -> None:
    odd: dict[str, str | bytes] = {"HX-Current-URL": b"http://testserver/\xff\x80"}
    response = await client.post("/todos/1/toggle", headers=HTMX | odd | {"Referer": b"\xfe"})
    assert response.status_code == 403
    response = await client.get("/", headers=HTMX | odd)
    assert response.status_code == 200
