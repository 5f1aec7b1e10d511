"""Fixtures for the security tests: small throttling limits, both throttling backends."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import httpx2
import pytest
from redis.asyncio import Redis

from tests.conftest import csrf_token, settings_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from webapp.config import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ACCOUNT_LIMIT = 3
ADDRESS_LIMIT = 5


@pytest.fixture
def throttle_backend() -> str | None:
    """Where throttling counters live: None is the database (test_throttling adds Redis)."""
    return None


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A Redis database emptied for the test (the throttle's keys have fixed names)."""
    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await redis.ping()
    except OSError as exc:
        await redis.aclose()
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    await redis.flushdb()
    yield REDIS_URL
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
def settings(database_url: str, throttle_backend: str | None) -> Settings:
    return settings_for(
        database_url,
        redis_url=throttle_backend,
        login_failures_per_account=ACCOUNT_LIMIT,
        login_failures_per_address=ADDRESS_LIMIT,
    )


def client_for(
    app: Starlette, address: str = "127.0.0.1", *, raise_app_exceptions: bool = True
) -> httpx2.AsyncClient:
    """A client of its own (own cookies), connecting from `address`."""
    transport = httpx2.ASGITransport(
        app=app, client=(address, 40000), raise_app_exceptions=raise_app_exceptions
    )
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


async def log_in(
    client: httpx2.AsyncClient, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx2.Response:
    token = await csrf_token(client, "/login")
    return await client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        headers=headers,
    )


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"
