"""A message for the next page this browser shows ("Saved", "Logged out", "Deleted ... Undo").

After a plain form's POST -> 303 -> GET, the message rides in a short-lived cookie,
signed so that nobody else can make our pages say something; the page that shows it
deletes it. htmx answers carry their message in the fragment instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from webapp.state import settings_of

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.responses import Response

COOKIE = "flash"


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    # A deletion that the message offers to undo.
    undo: int | None = None
    error: bool = False


def keep(request: HTTPConnection, response: Response, text: str, undo: int | None = None) -> None:
    payload = base64.urlsafe_b64encode(json.dumps([text, undo]).encode()).decode()
    response.set_cookie(
        COOKIE,
        f"{payload}.{_sign(request, payload)}",
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).https,
    )


def waiting(request: HTTPConnection) -> Message | None:
    """The message waiting for the page this request shows, if any (see `shown`)."""
    value = request.cookies.get(COOKIE)
    if value is None:
        return None
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(signature.encode(), _sign(request, payload).encode()):
        return None
    try:
        text, undo = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    return Message(text=str(text), undo=undo if isinstance(undo, int) else None)


def shown(request: HTTPConnection, response: Response) -> None:
    """The page shows the waiting message: it is shown once."""
    if COOKIE in request.cookies:
        secure = settings_of(request).https
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure)


def _sign(request: HTTPConnection, payload: str) -> str:
    key = settings_of(request).secret_key.encode()
    return hmac.new(key, f"flash:{payload}".encode(), hashlib.sha256).hexdigest()
