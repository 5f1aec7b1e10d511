"""Server-side login sessions [ASVS 7.2.x, 7.3.x, 7.4.x, 3.3.x]."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update

from tests.helpers import client_for, fetch, log_in, post_form, settings_for, sign_up
from webapp.app import create_app
from webapp.models import LoginSession

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account
    from webapp.config import Settings


async def test_session_cookie_is_random_httponly_lax_and_holds_no_user_data(
    client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    response = await post_form(
        client,
        "/signup",
        {"email": "ada@example.com", "password": "correct horse battery"},
        token_from="/signup",
    )
    set_cookie = response.headers["set-cookie"].lower()
    value = client.cookies["session"]
    assert "httponly" in set_cookie
    assert "samesite=lax" in set_cookie
    assert "secure" not in set_cookie  # plain HTTP in this configuration
    assert len(value) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    # Nothing of the account in it, plainly or base64-encoded (a three-letter check
    # would fail by chance: "ada" turns up in one random token in a few hundred).
    email = b"ada@example.com"
    assert "example" not in value.lower()
    assert base64.urlsafe_b64encode(email)[:12].decode() not in value
    assert email not in base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    # The table holds only a digest of the token: a leaked table is not a set of cookies.
    rows = await fetch(db, "SELECT id FROM login_sessions")
    assert rows == [(hashlib.sha256(value.encode()).hexdigest(),)]


async def test_session_cookie_is_secure_and_hsts_is_sent_when_served_over_https(
    database_url: str,
) -> None:
    app = create_app(settings_for(database_url, https=True))
    async with app.router.lifespan_context(app), client_for(app) as client:
        client.base_url = "https://testserver"  # type: ignore[assignment]
        await sign_up(client)
        page = await client.get("/")
        assert page.status_code == 200
        assert "max-age=31536000" in page.headers["strict-transport-security"]
    cookies = [c for c in client.cookies.jar if c.name == "session"]
    assert cookies
    assert all(c.secure for c in cookies)


async def test_logout_deletes_the_session_row(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = client.cookies["session"]
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert await fetch(db, "SELECT id FROM login_sessions") == []
    # Replaying the old cookie gets nothing.
    client.cookies.clear()
    assert (await client.get("/", headers={"Cookie": f"session={token}"})).status_code == 303


async def test_a_presented_session_id_is_never_adopted(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    # Fixation: a cookie an attacker planted before login must not become the session.
    client.cookies.clear()
    await client.get("/login")
    domain = next(iter(client.cookies.jar)).domain
    client.cookies.set("session", "planted-by-an-attacker", domain=domain)
    assert (await log_in(client, user.email, user.password)).status_code == 303
    assert client.cookies["session"] != "planted-by-an-attacker"
    planted = hashlib.sha256(b"planted-by-an-attacker").hexdigest()
    assert (planted,) not in await fetch(db, "SELECT id FROM login_sessions")


@pytest.mark.parametrize(
    ("column", "setting"),
    [("last_seen_at", "session_idle_timeout"), ("created_at", "session_max_age")],
)
async def test_idle_and_absolute_timeouts_end_the_session(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    settings: Settings,
    column: str,
    setting: str,
) -> None:
    assert (await client.get("/")).status_code == 200
    expired = datetime.now(UTC) - timedelta(seconds=getattr(settings, setting) + 60)
    await db.execute(update(LoginSession).values({column: expired}))
    await db.commit()
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert await fetch(db, "SELECT id FROM login_sessions") == []


async def test_timeouts_are_settings(database_url: str) -> None:
    settings = settings_for(database_url, session_idle_timeout=60, session_max_age=120)
    app: Starlette = create_app(settings)
    async with app.router.lifespan_context(app), client_for(app) as client:
        response = await post_form(
            client,
            "/signup",
            {"email": "ada@example.com", "password": "correct horse battery"},
            token_from="/signup",
        )
        # The cookie itself expires with the absolute timeout.
        assert "max-age=120" in response.headers["set-cookie"].lower()
        sessions = app.state.sessionmaker
        async with sessions() as db:
            past = datetime.now(UTC) - timedelta(seconds=61)
            await db.execute(update(LoginSession).values(last_seen_at=past))
            await db.commit()
        assert (await client.get("/")).status_code == 303


async def test_a_failed_request_does_not_refresh_the_session(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await db.execute(update(LoginSession).values(last_seen_at=long_ago))
    await db.commit()
    assert (await client.get("/todos/999/edit")).status_code == 404
    assert await last_seen(db) < datetime.now(UTC) - timedelta(minutes=30)
    assert (await client.get("/")).status_code == 200
    assert await last_seen(db) > datetime.now(UTC) - timedelta(minutes=1)


async def last_seen(db: AsyncSession) -> datetime:
    await db.rollback()
    seen = await db.scalar(select(LoginSession.last_seen_at))
    assert seen is not None
    return seen
