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

from webapp.templating import is_htmx, render

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Reload the page and try again.",
    403: "You are not allowed to do that.",
    404: "We couldn't find that page.",
    405: "That action isn't available here.",
    413: "That was more data than we accept in one request.",
    422: "Some of what you entered needs fixing.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing was changed; please try again.",
    503: "The service is briefly unavailable. Please try again in a moment.",
}


def error_response(request: Request, status_code: int, message: str | None = None) -> Response:
    context = {
        "status_code": status_code,
        "title": HTTPStatus(status_code).phrase,
        "message": message or MESSAGES.get(status_code, HTTPStatus(status_code).phrase),
        # The request's user may be gone with its rolled-back session: don't show it.
        "user": None,
    }
    if is_htmx(request):
        # Show the message in the page's message area instead of inside whatever the
        # request targeted (a row, say).
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render(
            request, "errors/_message.html", context, status_code=status_code, headers=headers
        )
    return render(request, "errors/error.html", context, status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own exceptions carry the bare status phrase: say something friendlier.
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    response = error_response(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


UNAVAILABLE_SQLSTATE_CLASSES = {"08", "53", "57"}


def database_error_status(exc: BaseException) -> int:
    """503 when the database (or Redis) is unreachable (worth retrying), else 500."""
    unreachable = (
        OperationalError,
        PoolTimeoutError,
        OSError,
        ConnectionError,
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
