"""The request's unit of work: one database session, committed or rolled back here only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from webapp.errors import database_error_status, error_response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.requests import HTTPConnection
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from webapp.turns import Turns

logger = logging.getLogger(__name__)

COMMIT_FAILED = "Your change could not be saved. Nothing was changed; please try again."
_BEFORE_COMMIT = "before_commit"
# Methods that change nothing (the routes answering them only read): their statements
# run without a transaction around them (make_sessionmaker).
READING = frozenset({"GET", "HEAD"})


def succeeded(status: int) -> bool:
    """The one rule for whether a response's work is kept: any status below 400."""
    return status < 400


def before_commit(request: HTTPConnection, write: Callable[[], Awaitable[None]]) -> None:
    """Run `write` in the unit of work just before it commits; never if it rolls back.

    For writes that belong to the request but shouldn't hold a write lock while the
    route runs (noting that a login session was seen, say).
    """
    request.scope["state"][_BEFORE_COMMIT].append(write)


class UnitOfWorkMiddleware:
    """One database session per request, committed as the request's unit of work.

    The commit happens when the response's status line is about to be sent, and only
    for a status below 400; anything else, or an exception, rolls back. If the commit
    itself fails, the client gets an error page instead of the response that would have
    claimed success. Routes and queries never commit. A GET or HEAD only reads: its
    statements run without a transaction around them (two round trips fewer), and
    the only writes it makes, a login session's once-a-minute touch or its removal once
    expired, stand on their own.

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
        app_state = scope["app"].state
        reading = scope["method"] in READING
        sessionmaker: async_sessionmaker[AsyncSession] = (
            app_state.reading_sessionmaker if reading else app_state.sessionmaker
        )
        turns: Turns = app_state.db_turns
        # A session only takes a connection from the pool when it first runs a query.
        async with turns.turn() as turn, sessionmaker() as db:
            state = scope.setdefault("state", {})
            state["db"] = db
            state["db_turn"] = turn
            writes: list[Callable[[], Awaitable[None]]] = []
            state[_BEFORE_COMMIT] = writes
            commit_failed = False

            async def send_after_commit(message: Message) -> None:
                nonlocal commit_failed
                if message["type"] == "http.response.start":
                    if succeeded(message["status"]):
                        try:
                            for write in writes:
                                await write()
                            if not reading:  # a reading session's statements stand alone
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


async def _rollback_quietly(db: AsyncSession) -> None:
    # Rolling back on a dead connection fails too; the original error is the one to report.
    try:
        await db.rollback()
    except SQLAlchemyError:
        logger.warning("rollback failed", exc_info=True)
