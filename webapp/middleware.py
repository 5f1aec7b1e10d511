"""Pure ASGI middleware: security headers, body limit, unit of work, login session."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request

from webapp import queries
from webapp.auth import SESSION_COOKIE, TOUCH_INTERVAL, session_id_for
from webapp.errors import database_error_status, error_response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from webapp.config import Settings
    from webapp.turns import Turns

logger = logging.getLogger(__name__)


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    headers = [
        # Scripts and styles only from our own static files: no inline code can run.
        (
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if settings.https:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Read the whole request body first, refusing one over the cap with 413.

    Reading it before the unit of work means a client that sends its body slowly holds
    no turn at the database and no connection meanwhile; the cap bounds the memory.
    Starlette's own `max_body_size` answers a declared over-size body with a plain-text
    response of its own; raising HTTPException here lets our error page answer instead.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = HTTPConnection(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise HTTPException(413)
        body = bytearray()
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                raise HTTPException(413)
            more_body = message.get("more_body", False)
        replayed = False

        async def receive_read_body() -> Message:
            nonlocal replayed
            if replayed:
                # Whatever comes after the body (a disconnect) comes from the server.
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, receive_read_body, send)


class UnitOfWorkMiddleware:
    """One database session per request, committed as the request's unit of work.

    The commit happens when the response's status line is about to be sent, and only
    for a status below 400; anything else, or an exception, rolls back. If the commit
    itself fails, the client gets an error page instead of the response that would have
    claimed success. Routes and queries never commit.

    The request waits for its turn at the database (webapp/turns.py) before the session
    opens, and gives the turn up once the commit or rollback has returned the
    connection, before the body is sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        turns: Turns = scope["app"].state.db_turns
        # A session only takes a connection from the pool when it first runs a query.
        async with turns.turn() as turn, sessionmaker() as db:
            state = scope.setdefault("state", {})
            state["db"] = db
            state["db_turn"] = turn
            commit_failed = False

            async def send_after_commit(message: Message) -> None:
                nonlocal commit_failed
                if message["type"] == "http.response.start":
                    if message["status"] < 400:
                        try:
                            await db.commit()
                        except SQLAlchemyError as exc:
                            logger.exception("commit failed; answering with an error page")
                            commit_failed = True
                            await _rollback_quietly(db)
                            response = error_response(
                                Request(scope), database_error_status(exc), COMMIT_FAILED
                            )
                            await response(scope, receive, send)
                            return
                    else:
                        await _rollback_quietly(db)
                    turn.end()
                if not commit_failed:
                    await send(message)

            try:
                await self.app(scope, receive, send_after_commit)
            except BaseException:
                await _rollback_quietly(db)
                raise
            # The session closes on leaving the block whatever happened.


COMMIT_FAILED = "Your change could not be saved. Nothing was changed; please try again."


async def _rollback_quietly(db: AsyncSession) -> None:
    # Rolling back on a dead connection fails too; the original error is the one to report.
    try:
        await db.rollback()
    except SQLAlchemyError:
        logger.warning("rollback failed", exc_info=True)


class LoginSessionMiddleware:
    """Resolve the session cookie to the logged-in user (or None) for the request.

    Its own writes (noting the session was seen, deleting an expired one) wait until the
    response starts and are made only for a success, just before the unit of work
    commits: a request that fails writes nothing, and until its route runs the request
    holds no write lock (on SQLite, one lock for the whole database).
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
        token = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        if not token:
            await self.app(scope, receive, send)
            return
        session_id = session_id_for(token)
        state["session_id"] = session_id
        db: AsyncSession = state["db"]
        login_session = await queries.get_login_session(db, session_id)
        deferred: Callable[[], Awaitable[None]] | None = None
        if login_session is not None:
            now = datetime.now(UTC)
            idle = (now - login_session.last_seen_at).total_seconds()
            age = (now - login_session.created_at).total_seconds()
            if idle > self.idle_timeout or age > self.max_age:
                deferred = partial(queries.delete_login_session, db, session_id)
            else:
                state["user"] = login_session.user
                if now - login_session.last_seen_at > TOUCH_INTERVAL:
                    deferred = partial(queries.touch_login_session, db, session_id, now)

        async def send_after_writes(message: Message) -> None:
            nonlocal deferred
            if message["type"] == "http.response.start" and deferred is not None:
                # The route may have ended this session itself (log out, log in again).
                if message["status"] < 400 and state["session_id"] == session_id:
                    await deferred()
                deferred = None
            await send(message)

        await self.app(scope, receive, send_after_writes)
