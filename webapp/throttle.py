"""Throttling of password checks, per account and per client address.

Counters live where every app process sees them: in Redis when `REDIS_URL` is set, else
in the database. Each key counts failures in a fixed window; once a key reaches its
limit, password checks for it wait until that window ends. The lockout is soft and
time-limited: nobody is locked out for longer than one window.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from redis.asyncio import Redis

from webapp import queries
from webapp.state import settings_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.requests import Request

    from webapp.config import Settings


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class Rules:
    """The counters a password check for an email from a client is charged to."""

    account: Rule
    address: Rule

    def __iter__(self) -> Iterator[Rule]:
        return iter((self.account, self.address))


def rules_for(request: Request, email: str) -> Rules:
    settings = settings_of(request)
    # A digest, not the address itself: counters exist for emails with no account too.
    account = hashlib.sha256(email.encode()).hexdigest()[:40]
    # The socket's peer, or the client a trusted proxy named (see TRUSTED_PROXIES).
    address = request.client.host if request.client else "unknown"
    return Rules(
        account=Rule(f"account:{account}", settings.login_failures_per_account),
        address=Rule(f"address:{address[:80]}", settings.login_failures_per_address),
    )


def signup_rule(request: Request) -> Rule:
    """Sign-up attempts from one client address (every attempt counts)."""
    settings = settings_of(request)
    address = request.client.host if request.client else "unknown"
    return Rule(f"signup:{address[:80]}", settings.signups_per_address)


def format_wait(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    if seconds < 60:
        return "in a minute"
    return f"in {minutes} minutes"


class Throttle(Protocol):
    async def wait_time(self, rules: Iterable[Rule]) -> int:
        """Seconds until a password check may be tried for all `rules`; 0 means now."""

    async def record_failure(self, rules: Iterable[Rule]) -> None:
        """Count a failed check. Kept even though the request's own work is rolled back."""

    async def forget(self, db: AsyncSession, rules: Iterable[Rule]) -> None:
        """Clear counters after a successful check (the account's, not the address's)."""

    async def aclose(self) -> None: ...


class DatabaseThrottle:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], window: int) -> None:
        self.sessionmaker = sessionmaker
        self.window = timedelta(seconds=window)

    async def wait_time(self, rules: Iterable[Rule]) -> int:
        now = datetime.now(UTC)
        rules = list(rules)
        # A short session of its own: the request's would keep its connection through
        # the password hashing that follows.
        async with self.sessionmaker() as db:
            counters = await queries.get_throttle_counters(db, [rule.key for rule in rules])
        failures = {counter.key: counter for counter in counters}
        wait = 0.0
        for rule in rules:
            counter = failures.get(rule.key)
            if counter is not None and counter.failures >= rule.limit:
                ends = counter.window_start + self.window
                wait = max(wait, (ends - now).total_seconds())
        return math.ceil(wait)

    async def record_failure(self, rules: Iterable[Rule]) -> None:
        # A transaction of its own: the failed request's unit of work rolls back (4xx).
        # Callers do this before their request has written anything, so on SQLite the
        # request holds no write lock that this would wait for.
        now = datetime.now(UTC)
        async with self.sessionmaker() as db, db.begin():
            for rule in rules:
                await queries.count_failure(db, rule.key, now, now - self.window)

    async def forget(self, db: AsyncSession, rules: Iterable[Rule]) -> None:
        # In the request's transaction: it commits with the successful request.
        await queries.delete_throttle_counters(db, [rule.key for rule in rules])

    async def aclose(self) -> None:
        pass


class RedisThrottle:
    PREFIX = "webapp:throttle:"

    def __init__(self, redis: Redis, window: int) -> None:
        self.redis = redis
        self.window_ms = window * 1000

    async def wait_time(self, rules: Iterable[Rule]) -> int:
        rules = list(rules)
        async with self.redis.pipeline(transaction=False) as pipe:
            for rule in rules:
                pipe.get(self.PREFIX + rule.key)
                pipe.pttl(self.PREFIX + rule.key)
            replies = await pipe.execute()
        wait_ms = 0
        for rule, count, ttl in zip(rules, replies[::2], replies[1::2], strict=True):
            if count is not None and int(count) >= rule.limit and ttl > 0:
                wait_ms = max(wait_ms, ttl)
        return math.ceil(wait_ms / 1000)

    async def record_failure(self, rules: Iterable[Rule]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for rule in rules:
                key = self.PREFIX + rule.key
                # NX: the window starts at the first failure and isn't extended by later ones.
                pipe.incr(key)
                pipe.pexpire(key, self.window_ms, nx=True)
            await pipe.execute()

    async def forget(self, db: AsyncSession, rules: Iterable[Rule]) -> None:
        await self.redis.delete(*(self.PREFIX + rule.key for rule in rules))

    async def aclose(self) -> None:
        await self.redis.aclose()


def make_throttle(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> Throttle:
    if settings.redis_url:
        redis = Redis.from_url(
            settings.redis_url, socket_timeout=2, socket_connect_timeout=2, decode_responses=True
        )
        return RedisThrottle(redis, settings.login_throttle_window)
    return DatabaseThrottle(sessionmaker, settings.login_throttle_window)


def throttle_of(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle
