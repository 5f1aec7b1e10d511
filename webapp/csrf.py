"""Cross-site request forgery protection for every unsafe request.

The token is an HMAC of the login session id (or, before login, of a random
`csrftoken` cookie), so it is bound to the session, changes at login, and can't be
forged without the secret key even by someone who can plant cookies. It travels in the
`csrf_token` form field or, for htmx requests, the `X-CSRF-Token` header.

Requests that the browser marks as cross-site are refused outright (403). A request
from our own site whose token doesn't match is a page that went stale (another tab
logged out, or in as someone else): it changes nothing, and the person is sent where
they can carry on, with a word on what happened, instead of an error page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from webapp import flash, sessions
from webapp.inputs import ascii_header, read_form
from webapp.templating import is_htmx

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from webapp.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
ANONYMOUS_COOKIE = "csrftoken"
FORBIDDEN = "This request came from another site, so it was refused."
PAGE_EXPIRED_FORM = "That form had expired, so nothing was sent. Please try again."
INVALID = "This form has expired or came from another site. Reload the page and try again."
_TOKEN_SHAPE = re.compile("[0-9a-f]{64}")
PAGE_EXPIRED = (
    "That page was from an earlier session, so nothing was changed. "
    "You are logged in as {email}; this is your page now."
)


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
        session_id = sessions.current_session_id(request)
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
            sent = ascii_header(request, HEADER_NAME)
            if sent is None:
                field = (await read_form(request)).get(FIELD_NAME)
                sent = field if isinstance(field, str) and field.isascii() else None
            if sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
                # A browser says where a request comes from (a header no page can set);
                # only a token of ours, from a page of ours, is a page gone stale.
                from_our_page = request.headers.get("Sec-Fetch-Site") == "same-origin"
                if not (from_our_page and sent is not None and _TOKEN_SHAPE.fullmatch(sent)):
                    raise HTTPException(403, INVALID)
                await _stale(request)(scope, receive, send)
                return

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
    if origin is None:
        return
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        # Not a URL at all ("http://["): no browser sends that; nobody we know does.
        raise HTTPException(403, FORBIDDEN) from None
    if netloc != request.headers.get("Host"):
        raise HTTPException(403, FORBIDDEN)


def _stale(request: Request) -> Response:
    """The answer to a same-site form whose token doesn't match: nothing is done, and
    the person is sent where they can carry on."""
    path = request.url.path
    app = request.app
    user = sessions.current_user(request)
    account_pages = (app.url_path_for("login"), app.url_path_for("signup"))
    if user is not None and path in account_pages:
        # Logged in meanwhile, in another tab: that is what this form was for.
        return _go(request, app.url_path_for("todos_all"))
    if user is None and path == app.url_path_for("logout"):
        return _go(request, app.url_path_for("login"), "You are logged out.")
    if user is None and path not in account_pages:
        # A form from a logged-in page, and the session is gone (logged out in another
        # tab, or everywhere, or timed out).
        return sessions.redirect_to_login(request, ended=True)
    # Logged in as someone else meanwhile, or a form older than the browser's session:
    # show the page again, as it is now.
    if is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Refresh": "true"})
    else:
        back = sessions.page_to_return_to(request) or app.url_path_for("todos_all")
        response = RedirectResponse(back, status_code=303)
    flash.keep(
        request, response, PAGE_EXPIRED.format(email=user.email) if user else PAGE_EXPIRED_FORM
    )
    return response


def _go(request: Request, target: str, message: str | None = None) -> Response:
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    if message:
        flash.keep(request, response, message)
    return response
