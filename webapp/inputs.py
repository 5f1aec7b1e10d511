"""One policy for what a client sends: form fields, headers and path or query parameters.

Everything a client sends is decoded here, once, before any other code sees it. Text
must be real Unicode (no lone surrogates, which a declared charset such as
`unicode_escape` or `utf-7` can smuggle in and which PostgreSQL and argon2 refuse),
tokens from headers must be ASCII, and ids must be ASCII digits within a signed 64-bit
integer. Whatever fails is a 400 with a clear message (`BadInput`), never a 500.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from python_multipart.multipart import parse_options_header
from starlette.convertors import Convertor, register_url_convertor

if TYPE_CHECKING:
    from starlette.datastructures import FormData
    from starlette.requests import Request

# Ids arrive from URLs; anything past a signed 64-bit integer can't exist, and asyncpg
# would refuse to send it.
MAX_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" and "①", which int() then refuses.
_ID = "[0-9]{1,19}"
_ID_PATTERN = re.compile(_ID)
# Forms come from our own pages, which are UTF-8; browsers send them back as UTF-8.
_CHARSETS = {b"", b"utf-8", b"utf8", b"us-ascii", b"ascii"}
FORM_CACHE = "form"


class BadInput(Exception):
    """The client sent something no page of ours sends: answered with 400 and `message`."""

    def __init__(self, message: str = "The request could not be understood.") -> None:
        super().__init__(message)
        self.message = message


def parse_id(text: str | None) -> int | None:
    """An id from a URL, or None when it can't be one (not digits, or past 64 bits)."""
    if text is None or not _ID_PATTERN.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdConvertor(Convertor[int]):
    """`{todo_id:id}`: a longer run of digits doesn't match the route (404), so Python's
    limit on converting huge numbers is never reached."""

    regex = _ID

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


# Routes name it as `{todo_id:id}`; registered on import, before any route is compiled.
register_url_convertor("id", IdConvertor())


def is_text(value: str) -> bool:
    """True for text that encodes as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ascii_header(request: Request, name: str) -> str | None:
    """A header meant to hold an ASCII token; anything else counts as absent."""
    value = request.headers.get(name)
    return value if value is not None and value.isascii() else None


async def read_form(request: Request) -> FormData:
    """The request's form, parsed once per request and checked against the policy.

    The body was read once already (the body limit middleware); the parsed form is kept
    in the request's state, so the CSRF check and the route share it.
    """
    state = request.scope.setdefault("state", {})
    cached: FormData | None = state.get(FORM_CACHE)
    if cached is not None:
        return cached
    content_type, options = parse_options_header(request.headers.get("Content-Type", ""))
    if options.get(b"charset", b"").lower() not in _CHARSETS:
        raise BadInput("Forms must be sent as UTF-8.")
    if content_type == b"multipart/form-data":
        # python-multipart accepts a body cut off before its closing boundary and drops
        # the unfinished field; a truncated upload must not pass as a shorter form.
        body = await request.body()
        boundary = options.get(b"boundary", b"")
        if not boundary or not body.rstrip(b"\r\n").endswith(b"--" + boundary + b"--"):
            raise BadInput("The form data was incomplete or malformed.")
    form = await request.form(max_files=0, max_fields=20, max_part_size=64 * 1024)
    for name, value in form.multi_items():
        # A part may declare its own charset (or `_charset_` the whole form's).
        if not is_text(name) or (isinstance(value, str) and not is_text(value)):
            raise BadInput("The form data was not valid text.")
    state[FORM_CACHE] = form
    return form
