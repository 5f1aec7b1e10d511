"""The login session, whole: the cookie, its row, lookup, expiry, touch, log in and out.

The browser holds only a random token (HttpOnly cookie); the database holds the SHA-256
of it, the user and two timestamps, so logging out really ends a session and any number
of app processes share them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial, wraps
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from sqlalchemy import bindparam, delete, select, update
from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response

from webapp import flash
from webapp.dates import DEFAULT_TIME_ZONE, today_in
from webapp.middleware.unit_of_work import before_commit
from webapp.models import LoginSession, User
from webapp.state import db_session, settings_of
from webapp.templating import is_htmx

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

    from webapp.config import Settings

COOKIE = "session"
# Writing last_seen_at on every request would turn every page view into a write;
# a minute of slack on a days-long idle timeout costs nothing.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """Who is logged in: plain values, readable after the unit of work rolled back (an
    error page still shows whose page it is)."""

    id: int
    email: str
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def today(self) -> date:
        """The person's date now, in their time zone."""
        return today_in(self.time_zone)


def session_id_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_user(request: HTTPConnection) -> CurrentUser | None:
    user: CurrentUser | None = request.scope["state"].get("user")
    return user


def current_session_id(request: HTTPConnection) -> str | None:
    session_id: str | None = request.scope["state"].get("session_id")
    return session_id


def require_user(request: HTTPConnection) -> CurrentUser:
    user = current_user(request)
    # login_required guarantees this; the assert documents it for readers and mypy.
    assert user is not None
    return user


# -- the rows -------------------------------------------------------------------------------

# Every request runs this: a Core statement on the tables, returning columns. Loading a
# LoginSession object with its User (joinedload) cost twice as much.
_SESSIONS = cast("Table", LoginSession.__table__)
_USERS = cast("Table", User.__table__)
_LOOKUP = (
    select(
        _SESSIONS.c.user_id,
        _SESSIONS.c.created_at,
        _SESSIONS.c.last_seen_at,
        _USERS.c.email,
        _USERS.c.time_zone,
    )
    .join_from(_SESSIONS, _USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .where(_SESSIONS.c.id == bindparam("session_id"))
)


async def _delete(db: AsyncSession, session_id: str) -> None:
    await db.execute(delete(LoginSession).where(LoginSession.id == session_id))


async def _touch(db: AsyncSession, session_id: str, now: datetime) -> None:
    await db.execute(
        update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now)
    )


async def end_sessions_of(db: AsyncSession, user_id: int) -> None:
    """End every login session of the user."""
    await db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


async def delete_expired(db: AsyncSession, settings: Settings, user_id: int | None = None) -> int:
    """Delete timed-out sessions (of one user, or everyone's); how many were deleted."""
    now = datetime.now(UTC)
    statement = delete(LoginSession).where(
        (LoginSession.last_seen_at < now - timedelta(seconds=settings.session_idle_timeout))
        | (LoginSession.created_at < now - timedelta(seconds=settings.session_max_age))
    )
    if user_id is not None:
        statement = statement.where(LoginSession.user_id == user_id)
    result = await db.execute(statement.returning(LoginSession.id))
    return len(result.all())


# -- every request --------------------------------------------------------------------------


class LoginSessionMiddleware:
    """Resolve the session cookie to the logged-in user (or None) for the request.

    Its own writes (noting the session was seen, deleting an expired one) are left to
    the unit of work, to run just before it commits: a request that fails writes nothing,
    and until its route runs the request holds no write lock (on SQLite, one lock for
    the whole database).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.idle_timeout = settings.session_idle_timeout
        self.max_age = settings.session_max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["state"]
        state["user"] = None
        state["session_id"] = None
        connection = HTTPConnection(scope)
        token = connection.cookies.get(COOKIE)
        if token:
            await self._resolve(connection, session_id_for(token))
        await self.app(scope, receive, send)

    async def _resolve(self, request: HTTPConnection, session_id: str) -> None:
        state = request.scope["state"]
        state["session_id"] = session_id
        db = db_session(request)
        login_session = (await db.execute(_LOOKUP, {"session_id": session_id})).one_or_none()
        if login_session is None:
            return
        now = datetime.now(UTC)
        idle = (now - login_session.last_seen_at).total_seconds()
        age = (now - login_session.created_at).total_seconds()
        if idle > self.idle_timeout or age > self.max_age:
            write: Callable[[], Awaitable[None]] = partial(_delete, db, session_id)
        else:
            state["user"] = CurrentUser(
                id=login_session.user_id,
                email=login_session.email,
                time_zone=login_session.time_zone,
            )
            if now - login_session.last_seen_at <= TOUCH_INTERVAL:
                return
            write = partial(_touch, db, session_id, now)

        async def unless_replaced() -> None:
            # The route may have ended this session itself (log out, log in again).
            if state["session_id"] == session_id:
                await write()

        before_commit(request, unless_replaced)


# -- logging in and out ---------------------------------------------------------------------


async def log_in(request: Request, response: Response, user: User | CurrentUser) -> None:
    """Start a new login session (a new token: no fixation) and set its cookie.

    The browser's previous session, if any, ends: a login is a new session, whoever had
    the old one.
    """
    db = db_session(request)
    settings = settings_of(request)
    old_session_id = current_session_id(request)
    if old_session_id is not None:
        await _delete(db, old_session_id)
    # Sessions that timed out are deleted when presented; this sweeps the user's others.
    await delete_expired(db, settings, user.id)
    token = secrets.token_urlsafe(32)  # 256 random bits
    session_id = session_id_for(token)
    now = datetime.now(UTC)
    db.add(LoginSession(id=session_id, user_id=user.id, created_at=now, last_seen_at=now))
    await db.flush()
    request.scope["state"]["session_id"] = session_id
    request.scope["state"]["user"] = CurrentUser(
        id=user.id, email=user.email, time_zone=user.time_zone
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_max_age,
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


async def log_out(request: Request, response: Response, *, everywhere: bool = False) -> None:
    """End this login session (or all of the user's) and clear the cookie."""
    db = db_session(request)
    session_id = current_session_id(request)
    user = current_user(request)
    if everywhere and user is not None:
        await end_sessions_of(db, user.id)
    elif session_id is not None:
        await _delete(db, session_id)
    forget(request, response)


def forget(request: Request, response: Response) -> None:
    """This browser has no session any more (logged out, or its account deleted)."""
    request.scope["state"]["session_id"] = None
    request.scope["state"]["user"] = None
    settings = settings_of(request)
    response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=settings.https)


# -- pages that need a login ----------------------------------------------------------------


def login_required(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Send anonymous visitors to the login page, then back here."""

    @wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        if current_user(request) is None:
            return redirect_to_login(request)
        return await endpoint(request)

    return wrapper


SESSION_ENDED = "Your session ended, please log in again."


def redirect_to_login(request: Request, *, ended: bool | None = None) -> Response:
    """To the login page, and back here afterwards (for a page, or the page an htmx
    request came from); with a word on why when the person thought they were logged in
    (`ended`; by default, when the browser still had a session cookie)."""
    target = request.app.url_path_for("login")
    back = page_to_return_to(request)
    if back:
        target += "?" + urlencode({"next": back})
    if is_htmx(request):
        # A fragment request must not swap the login page into part of the page:
        # tell htmx to navigate the whole window instead.
        response: Response = Response(status_code=204, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    if ended if ended is not None else current_session_id(request) is not None:
        # Logged out in another tab, everywhere, or timed out: they thought they were in.
        flash.keep(request, response, SESSION_ENDED)
    return response


def page_to_return_to(request: Request) -> str | None:
    """This page (a GET), or the same-site page a form or htmx request came from."""
    if request.method == "GET" and not is_htmx(request):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # An action: come back to the page it was made on (htmx says which; same site only).
    current = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if current.startswith(origin + "/"):
        return current[len(origin) :].split("#", 1)[0]
    return None
