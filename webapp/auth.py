"""Passwords, login sessions and the current user."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import cache, wraps
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from webapp import queries
from webapp.state import db_session, settings_of
from webapp.templating import is_htmx

if TYPE_CHECKING:
    from starlette.requests import Request

    from webapp.models import User

SESSION_COOKIE = "session"
# Writing last_seen_at on every request would turn every page view into a write;
# a minute of slack on a days-long idle timeout costs nothing.
TOUCH_INTERVAL = timedelta(minutes=1)

# argon2id with the library's current parameters; verify_and_update() tells us when a
# stored hash was made with older ones, and login re-hashes it.
_hasher = PasswordHash((Argon2Hasher(),))


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU by design: keep it off the event loop.
    return await run_in_threadpool(_hasher.hash, password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


async def authenticate(request: Request, email: str, password: str) -> User | None:
    """The user with these credentials, or None; the same work either way."""
    db = db_session(request)
    user = await queries.get_user_by_email(db, email)
    if user is None:
        # Verify against a throwaway hash so an unknown email costs as much as a wrong
        # password and response times don't reveal which addresses have accounts.
        await run_in_threadpool(_hasher.verify, password, await run_in_threadpool(_dummy_hash))
        return None
    valid, new_hash = await run_in_threadpool(
        _hasher.verify_and_update, password, user.password_hash
    )
    if not valid:
        return None
    if new_hash is not None:
        await queries.set_password_hash(db, user, new_hash)
    return user


def session_id_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def log_in(request: Request, response: Response, user: User) -> None:
    """Start a new login session (a new token: no fixation) and set its cookie."""
    db = db_session(request)
    old_session_id = request.state.session_id
    if old_session_id is not None:
        await queries.delete_login_session(db, old_session_id)
    token = secrets.token_urlsafe(32)  # 256 random bits
    await queries.create_login_session(db, user, session_id_for(token), datetime.now(UTC))
    settings = settings_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age,
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


async def log_out(request: Request, response: Response) -> None:
    session_id = request.state.session_id
    if session_id is not None:
        await queries.delete_login_session(db_session(request), session_id)
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
