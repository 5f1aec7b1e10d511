"""The request body, read once and capped in size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Read the whole request body first, refusing one over the cap with 413.

    This is the only read of the body from the server: everything after it (the form
    parser, once, in `webapp.inputs.read_form`) reads this copy. Reading it before the
    unit of work means a client that sends its body slowly holds no turn at the database
    and no connection meanwhile; the cap bounds the memory. Starlette's own
    `max_body_size` answers with a plain-text response of its own; raising HTTPException
    here lets our error page answer instead.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = HTTPConnection(scope).headers.get("content-length", "")
        # A length too long to convert is over the cap anyway.
        if (
            declared.isascii()
            and declared.isdigit()
            and (len(declared) > 18 or int(declared) > self.max_body_bytes)
        ):
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
