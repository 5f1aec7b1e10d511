"""Passwords, login sessions and the current user."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import anyio
import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.responses import RedirectResponse, Response

from webapp import queries
from webapp.state import db_session, db_turn, settings_of
from webapp.templating import is_htmx
from webapp.throttle import rules_for, throttle_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.requests import Request

    from webapp.models import User

T = TypeVar("T")
SESSION_COOKIE = "session"
# Writing last_seen_at on every request would turn every page view into a write;
# a minute of slack on a days-long idle timeout costs nothing.
TOUCH_INTERVAL = timedelta(minutes=1)

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
    throttle = throttle_of(request)
    rules = rules_for(request, email)
    wait = await throttle.wait_time(rules)
    if wait > 0:
        raise Throttled(wait)
    user, new_hash = await _check_password(request, email, password)
    if user is None:
        await throttle.record_failure(rules)
        return None
    db = db_session(request)
    if new_hash is not None:
        await queries.set_password_hash(db, user, new_hash)
    await throttle.forget(db, [rules.account])
    return user


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
    """Other requests may use the database meanwhile, unless this one holds a connection
    (a logged-in user's session lookup opened a transaction): that stays its own."""
    if db_session(request).in_transaction():
        return contextlib.nullcontext()
    return db_turn(request).paused()


def session_id_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def log_in(request: Request, response: Response, user: User) -> None:
    """Start a new login session (a new token: no fixation) and set its cookie."""
    db = db_session(request)
    settings = settings_of(request)
    old_session_id = request.state.session_id
    if old_session_id is not None:
        await queries.delete_login_session(db, old_session_id)
    now = datetime.now(UTC)
    # Sessions that timed out are deleted when presented; this sweeps the user's others.
    await queries.delete_expired_login_sessions(
        db,
        user=user,
        idle_before=now - timedelta(seconds=settings.session_idle_timeout),
        created_before=now - timedelta(seconds=settings.session_max_age),
    )
    token = secrets.token_urlsafe(32)  # 256 random bits
    request.state.session_id = session_id_for(token)
    await queries.create_login_session(db, user, request.state.session_id, now)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age,
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


async def log_out(request: Request, response: Response, *, everywhere: bool = False) -> None:
    """End this login session (or all of the user's) and clear the cookie."""
    db = db_session(request)
    session_id = request.state.session_id
    user = current_user(request)
    if everywhere and user is not None:
        await queries.delete_login_sessions_of(db, user)
    elif session_id is not None:
        await queries.delete_login_session(db, session_id)
    request.state.session_id = None
    clear_session_cookie(request, response)


def clear_session_cookie(request: Request, response: Response) -> None:
    settings = settings_of(request)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.https)


def current_user(request: Request) -> User | None:
    user: User | None = request.state.user
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    # login_required guarantees this; the assert documents it for readers and mypy.
    assert user is not None
    return user


Endpoint = Callable[["Request"], Awaitable[Response]]


def login_required(endpoint: Endpoint) -> Endpoint:
    """Send anonymous visitors to the login page, then back here."""

    @wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        if current_user(request) is None:
            return redirect_to_login(request)
        return await endpoint(request)

    return wrapper


def redirect_to_login(request: Request) -> Response:
    target = request.app.url_path_for("login")
    if request.method == "GET":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?" + urlencode({"next": path})
    if is_htmx(request):
        # A fragment request must not swap the login page into part of the page:
        # tell htmx to navigate the whole window instead.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a same-site relative path, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t\x00"):
        return None
    return target
