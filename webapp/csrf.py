"""Cross-site request forgery protection for every unsafe request.

The token is an HMAC of the login session id (or, before login, of a random
`csrftoken` cookie), so it is bound to the session, changes at login, and can't be
forged without the secret key even by someone who can plant cookies. It travels in the
`csrf_token` form field or, for htmx requests, the `X-CSRF-Token` header. On top of the
token, requests that the browser marks as cross-site are refused outright.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request

from webapp.forms import read_form

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from webapp.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
ANONYMOUS_COOKIE = "csrftoken"
FORBIDDEN = "This form has expired or came from another site. Reload the page and try again."


def csrf_token(request: Request) -> str:
    """The token that this request's forms must send back."""
    token: str = request.state.csrf_token
    return token


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.key = settings.secret_key.encode()
        self.secure_cookie = settings.https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        session_id: str | None = scope["state"]["session_id"]
        new_anonymous_seed = None
        if session_id is not None:
            expected = self._sign("session", session_id)
        else:
            seed = request.cookies.get(ANONYMOUS_COOKIE)
            if not seed or len(seed) > 64:
                seed = new_anonymous_seed = secrets.token_urlsafe(32)
            expected = self._sign("anonymous", seed)
        scope["state"]["csrf_token"] = expected

        if request.method not in SAFE_METHODS:
            _refuse_cross_site(request)
            sent: object = request.headers.get(HEADER_NAME)
            if sent is None:
                # The form is parsed here and again by the route; Starlette keeps no
                # per-request cache, and the body is small (capped) and held in memory.
                body = await request.body()
                receive = _replay(body)
                sent = (await read_form(Request(scope, _replay(body)))).get(FIELD_NAME)
            if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
                raise HTTPException(403, FORBIDDEN)

        if new_anonymous_seed is None:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{ANONYMOUS_COOKIE}={new_anonymous_seed}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure_cookie:
                    cookie += "; Secure"
                MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _sign(self, kind: str, value: str) -> str:
        return hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _refuse_cross_site(request: Request) -> None:
    # Browsers label every request; a form posted from another site says cross-site.
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(403, FORBIDDEN)
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("Host"):
        raise HTTPException(403, FORBIDDEN)


def _replay(body: bytes) -> Receive:
    """A `receive` that hands the already-read body to the next reader."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
