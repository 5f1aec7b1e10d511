"""Passwords: hashing off the event loop, and throttled checks (login sessions: sessions.py)."""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from webapp import queries
from webapp.state import db_session, db_turn
from webapp.throttle import rules_for, signup_rule, throttle_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.requests import Request

    from webapp.models import User

T = TypeVar("T")

# argon2id with the library's current parameters; verify_and_update() tells us when a
# stored hash was made with older ones, and login re-hashes it.
_hasher = PasswordHash((Argon2Hasher(),))


# One argon2 computation per core at a time. More threads would not finish sooner; they
# would take the CPU from the event loop (every other request waits) and each hold
# 64 MiB. Logins beyond that queue here, holding no database connection. One limiter
# per event loop: asyncio's primitives belong to the loop that first used them.
_hashing_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def _off_the_loop(function: Callable[..., T], *args: Any) -> T:
    """argon2 takes tens of milliseconds of CPU by design: run it in a worker thread."""
    loop = asyncio.get_running_loop()
    slots = _hashing_slots.get(loop)
    if slots is None:
        slots = _hashing_slots[loop] = anyio.CapacityLimiter(os.cpu_count() or 1)
    return await anyio.to_thread.run_sync(function, *args, limiter=slots)


async def hash_password(password: str) -> str:
    return await _off_the_loop(_hasher.hash, password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


class Throttled(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(f"password checks for this account or address wait {wait} s")
        self.wait = wait


async def authenticate(request: Request, email: str, password: str) -> User | None:
    """The user with these credentials, or None; throttled per account and address.

    Raises Throttled, without checking the password, while the account or the client
    address has too many recent failures. Call it before the request writes anything:
    a failure is counted in a transaction of its own.
    """
    db = db_session(request)
    await _release_connection(db)
    throttle = throttle_of(request)
    rules = rules_for(request, email)
    wait = await throttle.wait_time(rules)
    if wait > 0:
        raise Throttled(wait)
    user, new_hash = await _check_password(request, email, password)
    if user is None:
        await throttle.record_failure(rules)
        return None
    if new_hash is not None:
        await queries.set_password_hash(db, user, new_hash)
    await throttle.forget(db, [rules.account])
    return user


async def _release_connection(db: AsyncSession) -> None:
    """Looking the login session up opened a transaction, and nothing is written yet:
    give its connection back, so that the request never needs two at once (throttle
    counters and the user lookup use short sessions of their own)."""
    if db.in_transaction():
        await db.close()


async def _check_password(
    request: Request, email: str, password: str
) -> tuple[User | None, str | None]:
    """The user with these credentials (or None), and a new hash if it needs one.

    The same work whether or not the email has an account. The user is read in a short
    session of its own, so no pooled connection, nor usually the request's turn at the
    database, waits through the hashing (tens of milliseconds of CPU each; with many
    logins at once, seconds).
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as lookup:
        user = await queries.get_user_by_email(lookup, email)
    async with _hashing(request):
        if user is None:
            # Verify against a throwaway hash so an unknown email costs as much as a
            # wrong password and response times don't reveal which addresses have
            # accounts.
            await _off_the_loop(_hasher.verify, password, await _off_the_loop(_dummy_hash))
            return None, None
        verified = await _off_the_loop(_hasher.verify_and_update, password, user.password_hash)
    valid, new_hash = verified
    return (user, new_hash) if valid else (None, None)


def _hashing(request: Request) -> AbstractAsyncContextManager[None]:
    """Other requests may use the database meanwhile: this one holds no connection
    while it hashes (see `authenticate`)."""
    return db_turn(request).paused()


async def hash_for_signup(request: Request, password: str) -> str:
    """A new account's hash, with sign-ups throttled per client address.

    Every sign-up attempt hashes, whether or not its email is taken, so the answer comes
    as late either way; the throttle bounds how many addresses one client can try.
    """
    await _release_connection(db_session(request))
    throttle = throttle_of(request)
    rule = signup_rule(request)
    wait = await throttle.wait_time([rule])
    if wait > 0:
        raise Throttled(wait)
    await throttle.record_failure([rule])
    async with _hashing(request):
        return await hash_password(password)
