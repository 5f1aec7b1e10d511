"""Error pages: our own templates for every status, as a page or an htmx fragment.

Nothing here shows a stack trace or SQL; details go to the log.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from webapp import flash
from webapp.db import DatabaseUnreachable
from webapp.inputs import BadInput
from webapp.queries import NotFound
from webapp.templating import is_htmx, render

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

logger = logging.getLogger(__name__)


# What happened, in words: a page's heading, and the message under it.
TITLES = {
    400: "We couldn't read that request",
    403: "That request was refused",
    404: "We couldn't find that",
    405: "That can't be done here",
    413: "That was too much at once",
    422: "Some of that needs fixing",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Briefly unavailable",
}
MESSAGES = {
    400: "The request could not be understood. Reload the page and try again.",
    403: "You are not allowed to do that.",
    404: "There is nothing here: the link may be old, or the todo deleted.",
    405: "That action isn't available at this address.",
    413: "That was more data than we accept in one request.",
    422: "Some of what you entered needs fixing.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing was changed; please try again.",
    503: "The service is briefly unavailable. Please try again in a moment.",
}


def error_response(request: Request, status_code: int, text: str | None = None) -> Response:
    text = text or MESSAGES.get(status_code, HTTPStatus(status_code).phrase)
    if is_htmx(request):
        # Say it in the message area, in view, instead of inside whatever the request
        # targeted. A row that no longer exists (deleted in another tab) leaves the page.
        stale_row = status_code == 404 and request.headers.get("HX-Target", "").startswith(
            "li#todo-"
        )
        headers = {"HX-Reswap": "delete" if stale_row else "none"}
        context: dict[str, object] = {"message": flash.Message(text, error=True)}
        return render(
            request, "errors/_message.html", context, status_code=status_code, headers=headers
        )
    context = {
        "title": TITLES.get(status_code, HTTPStatus(status_code).phrase),
        "text": text,
        "message": None,
    }
    return render(request, "errors/error.html", context, status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own exceptions carry the bare status phrase: say something friendlier.
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    response = error_response(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return error_response(request, 404, exc.message)


async def bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadInput)
    return error_response(request, 400, exc.message)


UNAVAILABLE_SQLSTATE_CLASSES = {"08", "53", "57"}


def database_error_status(exc: BaseException) -> int:
    """503 when the database (or Redis) is unreachable (worth retrying), else 500."""
    unreachable = (
        OperationalError,
        PoolTimeoutError,
        DatabaseUnreachable,
        RedisConnectionError,
        RedisTimeoutError,
    )
    if isinstance(exc, unreachable):
        return 503
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return 503
        # PostgreSQL's "connection exception", "operator intervention" (shutting down,
        # starting up, terminated by an administrator) and "insufficient resources" (too
        # many connections) classes: the server is away or busy, not the request wrong.
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES:
            return 503
    return 500


async def database_error(request: Request, exc: Exception) -> Response:
    """The database (or Redis) failed: 503 while it is away, else 500.

    Handled here rather than left to the last-resort handler: Starlette re-raises what
    reaches that one, and the server then closes the connection, so a client reusing it
    would see a network error instead of this page.
    """
    status_code = database_error_status(exc)
    logger.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, status_code)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client went away while sending its request: nobody is left to answer."""
    logger.info("client disconnected during %s %s", request.method, request.url.path)
    return PlainTextResponse("", status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    status_code = database_error_status(exc)
    response = error_response(request, status_code)
    # This handler runs outside every other middleware: add the security headers here.
    for name, value in request.app.state.security_headers:
        response.headers.setdefault(name, value)
    return response
