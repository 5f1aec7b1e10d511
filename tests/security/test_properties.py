"""Property-based: arbitrary text, unusual Unicode included, thrown at every form. No
input gives a 500; valid input round-trips exactly after trimming; invalid input is a
4xx that saves nothing."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import client_for, csrf_token, fetch, log_in

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

# Any code point but surrogates (which can't be encoded as UTF-8 in a form), weighted
# towards the troublesome: controls, NUL, combining marks, bidi overrides, emoji, spaces.
TRICKY = st.sampled_from(
    [
        "\x00",
        "\t",
        "\r\n",
        "\n",
        "\u202e",
        "\u200b",
        "\ufeff",
        "e\u0301",
        "👩‍👩‍👧",
        " ",
        "\xa0",
        "%",
        "+",
        "&",
        "=",
        "<",
        ">",
        '"',
        "'",
        "\\",
        "\U0010ffff",
        "\u3000",
        "ǅ",
        "ß",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), TRICKY), max_size=12).map("".join)
# Text without control characters: mostly valid, so round trips get exercised too.
PRINTABLE = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=60)
LONG = st.one_of(TEXT, PRINTABLE, st.integers(190, 210).map(lambda n: "x" * n), st.just(" " * 3))
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    # One app, client and account for all the examples of a test: that is the point.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def has_controls(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def valid_title(title: str) -> bool:
    stripped = title.strip()
    return 0 < len(stripped) <= 200 and not has_controls(stripped)


def valid_description(description: str) -> bool:
    stripped = description.strip()
    return len(stripped) <= 5000 and not has_controls(stripped, "\n\r\t")


async def todo_rows(db: AsyncSession) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await fetch(db, "SELECT id, title, description FROM todos")]


@EXAMPLES
@given(title=LONG, description=st.one_of(TEXT, PRINTABLE), htmx=st.booleans())
async def test_any_text_in_the_todo_forms(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    title: str,
    description: str,
    htmx: bool,
) -> None:
    token = await csrf_token(client, "/")
    headers = HTMX | {"X-CSRF-Token": token} if htmx else {}
    data = {"title": title, "description": description} | ({} if htmx else {"csrf_token": token})
    before = await todo_rows(db)
    response = await client.post("/todos", data=data, headers=headers)
    valid = valid_title(title) and valid_description(description)
    event("valid todo" if valid else "invalid todo")
    if not valid:
        assert response.status_code == 422, (title, description)
        assert await todo_rows(db) == before
        return
    assert response.status_code == (200 if htmx else 303), response.text
    rows = await todo_rows(db)
    assert len(rows) == len(before) + 1
    todo_id, saved_title, saved_description = rows[-1]
    assert saved_title == title.strip()
    assert saved_description == (description.strip().replace("\r\n", "\n") or None)

    # The inline editor's rename, and the edit page, take the same text back.
    response = await client.post(
        f"/todos/{todo_id}",
        data={"title": description} | ({} if htmx else {"csrf_token": token}),
        headers=headers,
    )
    if valid_title(description):
        assert response.status_code == (200 if htmx else 303)
        assert (await todo_rows(db))[-1][1] == description.strip()
    else:
        assert response.status_code == 422
        assert (await todo_rows(db))[-1][1] == title.strip()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    email=st.one_of(TEXT, st.emails(), st.emails().map(lambda e: f" {e.upper()}\t")),
    password=st.one_of(LONG, PRINTABLE.map(lambda t: t + "x" * 12)),
)
async def test_any_text_in_the_account_forms(
    app: Starlette, db: AsyncSession, email: str, password: str
) -> None:
    before = await fetch(db, "SELECT email FROM users")
    async with client_for(app) as client:
        token = await csrf_token(client, "/signup")
        response = await client.post(
            "/signup", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code in {303, 422}, response.text
        event(f"signup {response.status_code}")
        after = await fetch(db, "SELECT email FROM users")
        if response.status_code == 422:
            assert after == before
            return
        assert set(after) - set(before) == {(email.strip().lower(),)}
        client.cookies.clear()
        # The password round-trips exactly: login works with it, untrimmed.
        response = await log_in(client, email, password)
        assert response.status_code == 303, response.text


@EXAMPLES
@given(current=TEXT, new=LONG, password=TEXT)
async def test_any_text_in_the_account_page_forms(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    current: str,
    new: str,
    password: str,
) -> None:
    token = await csrf_token(client, "/account")
    response = await client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": current, "new_password": new},
    )
    # Never the right current password: always refused, never a 500.
    assert response.status_code in {422, 429}, response.text
    response = await client.post(
        "/account/delete", data={"csrf_token": token, "password": password}
    )
    assert response.status_code in {422, 429}, response.text
    assert len(await fetch(db, "SELECT id FROM users")) == 1


# -- what scanners send: any bytes in headers, paths, cursors and charsets --

BYTES = st.binary(max_size=80)
HEADER_BYTES = st.binary(max_size=80).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
CHARSETS = st.sampled_from(
    ["utf-8", "unicode_escape", "utf-7", "utf-16", "latin-1", "bogus", "", "UTF-8", "ascii"]
)


@EXAMPLES
@given(token=HEADER_BYTES, origin=HEADER_BYTES, after=TEXT, todo_id=TEXT)
async def test_any_bytes_in_headers_paths_and_cursors(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    token: bytes,
    origin: bytes,
    after: str,
    todo_id: str,
) -> None:
    before = await todo_rows(db)
    response = await client.post(
        "/todos", data={"title": "x"}, headers={"X-CSRF-Token": token, "Origin": origin}
    )
    assert response.status_code == 403, response.text
    response = await client.get("/", params={"after": after})
    assert response.status_code in {200, 400}, after
    quoted = "".join(f"%{byte:02X}" for byte in todo_id.encode("utf-8", "surrogatepass"))
    response = await client.get(f"/todos/{quoted}/edit")
    assert response.status_code in {404, 400}, todo_id
    assert await todo_rows(db) == before


@EXAMPLES
@given(charset=CHARSETS, title=BYTES, email=BYTES)
async def test_any_bytes_in_any_declared_charset(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    charset: str,
    title: bytes,
    email: bytes,
) -> None:
    token = await csrf_token(client, "/")
    before = await todo_rows(db)
    parts = {"csrf_token": token.encode(), "title": title, "description": email}
    body = (
        b"".join(
            b'--b\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts.items()
        )
        + b"--b--\r\n"
    )
    content_type = "multipart/form-data; boundary=b" + (f"; charset={charset}" if charset else "")
    response = await client.post("/todos", content=body, headers={"Content-Type": content_type})
    event(f"charset {charset}: {response.status_code}")
    assert response.status_code in {303, 400, 403, 422}, response.text
    if response.status_code != 303:
        assert await todo_rows(db) == before
