"""Login throttling: per account and per client address, shared by every app process,
soft and time-limited, and told to the user [ASVS 6.1.1, 6.3.1]."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from tests.helpers import client_for, fetch, log_in, settings_for, sign_up, unique_email
from tests.security.limits import ACCOUNT_LIMIT, ADDRESS_LIMIT
from webapp import auth
from webapp.app import create_app
from webapp.models import ThrottleCounter
from webapp.throttle import RedisThrottle

if TYPE_CHECKING:
    import httpx2
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account
    from webapp.config import Settings

WRONG = "not the password at all"


@pytest.fixture(params=["database", "redis"])
def throttle_backend(request: pytest.FixtureRequest) -> str | None:
    if request.param == "database":
        return None
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def account(client: httpx2.AsyncClient) -> Account:
    account = await sign_up(client, unique_email())
    client.cookies.clear()
    return account


async def fail(app: Starlette, email: str, times: int, address: str = "127.0.0.1") -> None:
    async with client_for(app, address) as client:
        for _ in range(times):
            response = await log_in(client, email, WRONG)
            assert response.status_code == 422, response.text


async def end_windows(app: Starlette, settings: Settings, db: AsyncSession) -> None:
    """Move every throttling window into the past, as if its time had passed."""
    if settings.redis_url:
        throttle = app.state.throttle
        assert isinstance(throttle, RedisThrottle)
        async for key in throttle.redis.scan_iter(match=throttle.PREFIX + "*"):
            await throttle.redis.pexpire(key, 1)
        await throttle.redis.ping()
        # The keys expire a millisecond later; wait until they have.
        while [key async for key in throttle.redis.scan_iter(match=throttle.PREFIX + "*")]:
            pass
        return
    past = datetime.now(UTC) - timedelta(seconds=settings.login_throttle_window + 1)
    await db.execute(update(ThrottleCounter).values(window_start=past))
    await db.commit()


async def test_throttling_per_account_refuses_with_429_and_a_retry_time(
    app: Starlette, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fail(app, account.email, ACCOUNT_LIMIT)
    checks: list[str] = []
    check = auth._check_password
    monkeypatch.setattr(auth, "_check_password", lambda *a: checks.append("x") or check(*a))
    async with client_for(app) as client:
        # Even the right password is not checked while the account waits.
        response = await log_in(client, account.email, account.password)
    assert response.status_code == 429
    assert checks == []
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    assert "Too many failed attempts. Please try again in 15 minutes." in response.text
    assert "session" not in response.cookies


async def test_throttling_per_account_applies_from_every_address(
    app: Starlette, account: Account
) -> None:
    await fail(app, account.email, ACCOUNT_LIMIT - 1, address="10.0.0.1")
    await fail(app, account.email, 1, address="10.0.0.2")
    async with client_for(app, "10.0.0.3") as client:
        response = await log_in(client, account.email, account.password)
    assert response.status_code == 429


async def test_throttling_per_address_covers_many_accounts(app: Starlette) -> None:
    # One address guessing at many (even unknown) accounts, each under the account limit.
    for _ in range(ADDRESS_LIMIT):
        await fail(app, unique_email(), 1, address="10.0.0.9")
    async with client_for(app, "10.0.0.9") as client:
        response = await log_in(client, unique_email(), WRONG)
    assert response.status_code == 429
    async with client_for(app, "10.0.0.10") as client:
        response = await log_in(client, unique_email(), WRONG)
    assert response.status_code == 422


async def test_throttling_is_soft_the_wait_ends_with_the_window(
    app: Starlette, settings: Settings, account: Account, db: AsyncSession
) -> None:
    await fail(app, account.email, ACCOUNT_LIMIT)
    async with client_for(app) as client:
        assert (await log_in(client, account.email, account.password)).status_code == 429
        await end_windows(app, settings, db)
        response = await log_in(client, account.email, account.password)
    assert response.status_code == 303
    assert response.cookies.get("session")


async def test_successful_login_clears_the_account_counter_not_the_address_one(
    app: Starlette, account: Account
) -> None:
    await fail(app, account.email, ACCOUNT_LIMIT - 1)
    async with client_for(app) as client:
        assert (await log_in(client, account.email, account.password)).status_code == 303
    # A fresh allowance for the account after the success.
    await fail(app, account.email, ACCOUNT_LIMIT - 1)
    async with client_for(app) as client:
        assert (await log_in(client, account.email, account.password)).status_code == 303
    # The address's failures (2 * (limit - 1) = 4 of 5) still count: one more and it waits.
    await fail(app, unique_email(), 1)
    async with client_for(app) as client:
        assert (await log_in(client, account.email, account.password)).status_code == 429


async def test_throttling_is_shared_by_every_app_process(
    app: Starlette, settings: Settings, account: Account
) -> None:
    # A second app on the same database (and Redis): another process, as far as state goes.
    other = create_app(settings)
    async with other.router.lifespan_context(other):
        await fail(app, account.email, ACCOUNT_LIMIT - 1)
        await fail(other, account.email, 1)
        async with client_for(app) as client:
            assert (await log_in(client, account.email, account.password)).status_code == 429


async def test_client_address_comes_from_the_socket_unless_a_proxy_is_trusted(
    app: Starlette, database_url: str, throttle_backend: str | None
) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    # Not trusted: a client naming other addresses is still counted by its socket address.
    async with client_for(app, "10.0.0.20") as client:
        for n in range(ADDRESS_LIMIT):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert (await log_in(client, unique_email(), WRONG, headers)).status_code == 422
        assert (await log_in(client, unique_email(), WRONG, spoofed)).status_code == 429

    # Trusted: behind the proxy at 10.0.0.30, each forwarded client has its own counter.
    settings = settings_for(
        database_url,
        redis_url=throttle_backend,
        login_failures_per_address=ADDRESS_LIMIT,
        trusted_proxies=("10.0.0.30",),
    )
    proxied = create_app(settings)
    async with proxied.router.lifespan_context(proxied), client_for(proxied, "10.0.0.30") as client:
        for _ in range(ADDRESS_LIMIT):
            assert (await log_in(client, unique_email(), WRONG, spoofed)).status_code == 422
        assert (await log_in(client, unique_email(), WRONG, spoofed)).status_code == 429
        other_client = {"X-Forwarded-For": "203.0.113.8"}
        assert (await log_in(client, unique_email(), WRONG, other_client)).status_code == 422


async def test_throttling_counters_survive_the_failed_requests_rollback(
    app: Starlette, settings: Settings, account: Account, db: AsyncSession
) -> None:
    await fail(app, account.email, 2)
    if settings.redis_url:
        redis: Redis = app.state.throttle.redis
        keys = [key async for key in redis.scan_iter(match="webapp:throttle:*")]
        # (The account's sign-up counted as a sign-up attempt, under a key of its own.)
        keys = [key for key in keys if ":signup:" not in key]
        assert sorted([int(await redis.get(key)) for key in keys]) == [2, 2]
    else:
        rows = await fetch(
            db,
            "SELECT key, failures FROM throttle_counters"
            " WHERE key NOT LIKE 'signup:%' ORDER BY key",
        )
        assert [(key.split(":")[0], failures) for key, failures in rows] == [
            ("account", 2),
            ("address", 2),
        ]
