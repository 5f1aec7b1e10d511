"""Sign up, log in, log out: server-side sessions and their cookies."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest

from tests.helpers import Account, fetch, post_form, sign_up
from webapp.routes.accounts import EMAIL_TAKEN, LOGIN_FAILED
from webapp.sessions import COOKIE as SESSION_COOKIE

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession


async def test_signup_page_has_the_contract_fields(client: httpx2.AsyncClient) -> None:
    response = await client.get("/signup")
    assert response.status_code == 200
    assert '<label for="email">Email</label>' in response.text
    assert '<label for="password">Password</label>' in response.text
    assert ">Sign up</button>" in response.text


async def test_signup_logs_in_and_lands_on_the_list(
    client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    response = await post_form(
        client,
        "/signup",
        {"email": "  Ada@Example.COM ", "password": "correct horse"},
        token_from="/signup",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.cookies[SESSION_COOKIE]
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie
    assert "samesite=lax" in set_cookie

    users = await fetch(db, "SELECT email, password_hash FROM users")
    assert [u.email for u in users] == ["ada@example.com"]
    assert users[0].password_hash.startswith("$argon2id$")
    sessions = await fetch(db, "SELECT id FROM login_sessions")
    # The database keeps only a hash of the cookie's token.
    assert [s.id for s in sessions] == [hashlib.sha256(cookie.encode()).hexdigest()]

    page = await client.get("/")
    assert page.status_code == 200
    assert "ada@example.com" in page.text
    assert ">Log out</button>" in page.text


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("", "long enough pw", "email", "Please enter your email address."),
        ("not-an-email", "long enough pw", "email", "Please enter a valid email address"),
        ("a@b.co", "short", "password", "Use at least 8 characters."),
        ("a@b.co", "x" * 1025, "password", "at most 1024 bytes"),
        ("a\x00@b.co", "long enough pw", "email", "Please enter a valid email address"),
    ],
)
async def test_signup_rejects_bad_input(
    client: httpx2.AsyncClient,
    db: AsyncSession,
    email: str,
    password: str,
    field: str,
    message: str,
) -> None:
    response = await post_form(
        client, "/signup", {"email": email, "password": password}, token_from="/signup"
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert await fetch(db, "SELECT id FROM users") == []


async def test_signup_refuses_an_email_taken_in_another_case(
    client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    await sign_up(client, "ada@example.com")
    client.cookies.clear()
    response = await post_form(
        client,
        "/signup",
        {"email": "ADA@example.com", "password": "another password"},
        token_from="/signup",
    )
    assert response.status_code == 422
    assert EMAIL_TAKEN.split(".")[0] in response.text
    assert len(await fetch(db, "SELECT id FROM users")) == 1


async def _log_in(
    client: httpx2.AsyncClient, email: str, password: str, token_from: str = "/login"
) -> httpx2.Response:
    return await post_form(
        client, "/login", {"email": email, "password": password}, token_from=token_from
    )


async def test_login_page_has_the_contract_fields(client: httpx2.AsyncClient) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert '<label for="email">Email</label>' in response.text
    assert ">Log in</button>" in response.text


async def test_login_and_logout(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    client.cookies.clear()
    response = await _log_in(client, user.email.upper(), user.password)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert (await client.get("/")).status_code == 200

    token = client.cookies[SESSION_COOKIE]
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    # The row is gone: the old cookie is worthless even if someone kept a copy.
    sessions = await fetch(db, "SELECT user_id FROM login_sessions")
    assert len(sessions) == 1  # the session from sign-up, not the one just ended
    client.cookies.set(SESSION_COOKIE, token)
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_login_gives_one_message_for_wrong_password_and_unknown_email(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    client.cookies.clear()
    sessions_before = await fetch(db, "SELECT id FROM login_sessions")
    wrong_password = await _log_in(client, user.email, "wrong password")
    unknown_email = await _log_in(client, "nobody@example.com", user.password)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert LOGIN_FAILED.replace("'", "&#39;") in response.text
        assert SESSION_COOKIE not in response.cookies
    assert await fetch(db, "SELECT id FROM login_sessions") == sessions_before


async def test_login_issues_a_new_session_id(client: httpx2.AsyncClient, user: Account) -> None:
    before = client.cookies[SESSION_COOKIE]
    response = await _log_in(client, user.email, user.password, token_from="/")
    assert response.status_code == 303
    assert response.cookies[SESSION_COOKIE] != before


@pytest.mark.parametrize(
    ("next_", "landing"),
    [
        ("/completed", "/completed"),
        ("/active?order=newest", "/active?order=newest"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
async def test_login_honours_next_only_for_same_site_paths(
    client: httpx2.AsyncClient, user: Account, next_: str, landing: str
) -> None:
    client.cookies.clear()
    response = await client.post(
        "/login",
        params={"next": next_},
        data={
            "email": user.email,
            "password": user.password,
            "csrf_token": (await client.get("/login", params={"next": next_}))
            .text.split('name="csrf-token" content="')[1]
            .split('"')[0],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == landing


async def test_anonymous_list_redirects_to_login_with_next(client: httpx2.AsyncClient) -> None:
    response = await client.get("/active")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Factive"


async def test_anonymous_htmx_request_navigates_the_whole_page(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.post(
        "/todos/1/toggle", headers={"HX-Request": "true", "X-CSRF-Token": "x"}
    )
    # Refused by CSRF first (no session, wrong token) ...
    assert response.status_code == 403
    token = (await client.get("/login")).text.split('name="csrf-token" content="')[1][:64]
    response = await client.post(
        "/todos/1/toggle", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    # ... and with a valid token, sent to the login page as a whole-page navigation.
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login"
    assert response.text == ""


@pytest.mark.parametrize(
    "cookie",
    [b"garbage", b"", b"x" * 5000, "\u00e9t\u00e9".encode("latin-1"), b'"quo\\"ted', b"a;b=c"],
)
async def test_tampered_session_cookie_is_anonymous(
    client: httpx2.AsyncClient, user: Account, cookie: bytes
) -> None:
    client.cookies.clear()
    headers = {"Cookie": b"session=" + cookie}
    response = await client.get("/", headers=headers)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert (await client.get("/login", headers=headers)).status_code == 200
