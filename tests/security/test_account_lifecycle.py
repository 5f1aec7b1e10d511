"""The account page and the operators' commands: change password, log out everywhere,
delete account, create-user, reset-password, clean-up [ASVS 6.2.x, 7.4.3]."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from tests.helpers import (
    add_todo,
    client_for,
    csrf_token,
    fetch,
    log_in,
    post_form,
    sign_up,
    unique_email,
)
from tests.security.limits import ACCOUNT_LIMIT
from webapp import cli
from webapp.models import LoginSession

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account
    from webapp.config import Settings

NEW_PASSWORD = "a brand new passphrase"


async def sessions_of(db: AsyncSession, email: str) -> int:
    rows = await fetch(
        db,
        "SELECT count(*) FROM login_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE u.email = :email",
        email=email,
    )
    return int(rows[0][0])


async def password_hash(db: AsyncSession, email: str) -> str:
    rows = await fetch(db, "SELECT password_hash FROM users WHERE email = :email", email=email)
    return str(rows[0][0])


async def change_password(client: httpx2.AsyncClient, current: str, new: str) -> httpx2.Response:
    """Post the account page's change-password form, as the page does."""
    data = {"current_password": current, "new_password": new}
    return await post_form(client, "/account/password", data, token_from="/account")


async def test_account_page_needs_login_and_shows_the_three_actions(
    client: httpx2.AsyncClient, user: Account
) -> None:
    response = await client.get("/account")
    assert response.status_code == 200
    assert user.email in response.text
    for action in ("/account/password", "/account/logout-everywhere", "/account/delete"):
        assert f'action="{action}"' in response.text
    client.cookies.clear()
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount"


async def test_change_password_needs_the_current_password(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    before = await password_hash(db, user.email)
    response = await change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 422
    assert "That isn&#39;t your current password." in response.text
    assert await password_hash(db, user.email) == before


async def test_change_password_ends_the_users_other_sessions(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    async with client_for(app) as laptop, client_for(app) as stranger:
        assert (await log_in(laptop, user.email, user.password)).status_code == 303
        other_user = await sign_up(stranger, unique_email())
        assert await sessions_of(db, user.email) == 2
        old_cookie = client.cookies["session"]

        response = await change_password(client, user.password, NEW_PASSWORD)
        assert response.status_code == 303
        assert response.headers["location"] == "/account"
        # This browser goes on with a new session; the laptop is logged out.
        assert client.cookies["session"] != old_cookie
        page = await client.get("/account")
        assert "Password changed. Your other sessions were logged out." in page.text
        assert (await laptop.get("/")).status_code == 303
        assert await sessions_of(db, user.email) == 1
        # Other users' sessions are untouched.
        assert (await stranger.get("/")).status_code == 200
        assert await sessions_of(db, other_user.email) == 1

    client.cookies.clear()
    assert (await log_in(client, user.email, user.password)).status_code == 422
    assert (await log_in(client, user.email, NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short", "Use at least 8 characters."),
        ("password1", "That password is too easy to guess."),
        ("Sunshine", "That password is too easy to guess."),
        ("x" * 1025, "at most 1024 bytes"),
    ],
)
async def test_change_password_applies_the_password_rules(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, new_password: str, message: str
) -> None:
    before = await password_hash(db, user.email)
    response = await change_password(client, user.password, new_password)
    assert response.status_code == 422
    assert message in response.text
    assert await password_hash(db, user.email) == before


async def test_log_out_everywhere_ends_every_session(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    async with client_for(app) as laptop:
        assert (await log_in(laptop, user.email, user.password)).status_code == 303
        response = await post_form(client, "/account/logout-everywhere", token_from="/account")
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert (await laptop.get("/")).status_code == 303
    assert (await client.get("/")).status_code == 303
    assert await sessions_of(db, user.email) == 0


async def test_delete_account_needs_the_password(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "Keep me")
    response = await post_form(
        client, "/account/delete", {"password": "not my password"}, token_from="/account"
    )
    assert response.status_code == 422
    assert await fetch(db, "SELECT title FROM todos") == [("Keep me",)]
    assert await sessions_of(db, user.email) == 1


async def test_delete_account_deletes_its_todos_and_sessions(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "Mine")
    async with client_for(app) as other:
        await sign_up(other, "other@example.com")
        await add_todo(other, "Theirs")
        async with client_for(app) as laptop:
            assert (await log_in(laptop, user.email, user.password)).status_code == 303

            response = await post_form(
                client, "/account/delete", {"password": user.password}, token_from="/account"
            )
            assert response.status_code == 200
            assert "Your account was deleted" in response.text
            assert user.email not in response.text
            assert (await laptop.get("/")).status_code == 303
        assert (await other.get("/")).status_code == 200
    assert (await client.get("/")).status_code == 303
    assert await fetch(db, "SELECT email FROM users") == [("other@example.com",)]
    assert await fetch(db, "SELECT title FROM todos") == [("Theirs",)]
    assert len(await fetch(db, "SELECT id FROM login_sessions")) == 1
    client.cookies.clear()
    assert (await log_in(client, user.email, user.password)).status_code == 422


async def test_account_actions_share_the_login_throttle(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    for _ in range(ACCOUNT_LIMIT):
        response = await post_form(
            client, "/account/delete", {"password": "guess"}, token_from="/account"
        )
        assert response.status_code == 422
    response = await change_password(client, user.password, NEW_PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in response.text
    response = await post_form(
        client, "/account/delete", {"password": user.password}, token_from="/account"
    )
    assert response.status_code == 429
    assert len(await fetch(db, "SELECT id FROM users")) == 1


# -- the operators' commands --


async def run_cli(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, *argv: str, stdin: str
) -> int:
    """`webapp ARGV` with STDIN; in a thread, since the command runs an event loop of its own."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return await asyncio.to_thread(cli.main, list(argv))


async def test_create_user_command(
    app: Starlette, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("create-user", "Ops@Example.com", "--password-stdin")
    code = await run_cli(monkeypatch, settings, *args, stdin=NEW_PASSWORD + "\n")
    assert code == 0
    assert await run_cli(monkeypatch, settings, *args, stdin=NEW_PASSWORD) == 1
    weak = ("create-user", "weak@example.com", "--password-stdin")
    assert await run_cli(monkeypatch, settings, *weak, stdin="qwertyuiop\n") == 2
    async with client_for(app) as client:
        assert (await log_in(client, "ops@example.com", NEW_PASSWORD)).status_code == 303


async def test_reset_password_command_ends_the_accounts_sessions(
    app: Starlette,
    settings: Settings,
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ("reset-password", user.email.upper(), "--password-stdin")
    assert await run_cli(monkeypatch, settings, *args, stdin="password\n") == 2
    assert (await client.get("/")).status_code == 200
    assert await run_cli(monkeypatch, settings, *args, stdin=NEW_PASSWORD) == 0
    assert (await client.get("/")).status_code == 303
    assert await sessions_of(db, user.email) == 0
    assert (await log_in(client, user.email, NEW_PASSWORD)).status_code == 303
    unknown = ("reset-password", "nobody@example.com", "--password-stdin")
    assert await run_cli(monkeypatch, settings, *unknown, stdin=NEW_PASSWORD) == 1


async def test_clean_up_command_deletes_expired_sessions_only(
    app: Starlette,
    settings: Settings,
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with client_for(app) as stale:
        assert (await log_in(stale, user.email, user.password)).status_code == 303
        stale_id = (await fetch(db, "SELECT id FROM login_sessions ORDER BY created_at"))[-1][0]
    long_ago = datetime.now(UTC) - timedelta(seconds=settings.session_idle_timeout + 60)
    await db.execute(
        update(LoginSession).where(LoginSession.id == stale_id).values(last_seen_at=long_ago)
    )
    await db.commit()
    assert await run_cli(monkeypatch, settings, "clean-up", stdin="") == 0
    assert await sessions_of(db, user.email) == 1
    assert (await client.get("/")).status_code == 200


async def test_signup_refuses_common_passwords_and_accepts_plain_long_ones(
    client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/signup")
    for weak in ("password", "iloveyou", "Trustno1", "football1", "ada@example.com"):
        response = await client.post(
            "/signup", data={"csrf_token": token, "email": "ada@example.com", "password": weak}
        )
        assert response.status_code == 422, weak
        assert "too easy to guess" in response.text
    assert await fetch(db, "SELECT id FROM users") == []
    # No composition rules: lower-case words with spaces are fine.
    response = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "email": "ada@example.com",
            "password": "purple monkey dishwasher",
        },
    )
    assert response.status_code == 303
