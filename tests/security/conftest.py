"""Fixtures for the security tests: small throttling limits, both throttling backends."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis

from tests.helpers import settings_for
from tests.security.limits import ACCOUNT_LIMIT, ADDRESS_LIMIT

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from webapp.config import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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
        # Sign-up throttling has its own test; here many sign-ups come from one address.
        signups_per_address=1000,
    )
