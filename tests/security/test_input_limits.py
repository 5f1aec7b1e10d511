"""Input limits beyond the list's own tests (tests/test_todos.py covers titles, lengths,
NUL bytes in titles, 64-bit ids, the body cap and malformed multipart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.helpers import csrf_token, fetch, post_form

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession

    from tests.helpers import Account


def multipart(token: str, parts: list[tuple[str, str, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body of (name, extra disposition, value) parts."""
    body = b""
    for name, extra, value in parts:
        body += f'--b\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()
        body += value + b"\r\n"
    body += b"--b--\r\n"
    return body, {"Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": token}


async def test_more_than_20_form_fields_is_400(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    fields = "&".join(f"f{n}=x" for n in range(25))
    response = await client.post(
        "/todos",
        content=f"csrf_token={token}&title=t&{fields}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert await fetch(db, "SELECT id FROM todos") == []


async def test_file_uploads_are_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    body, headers = multipart(token, [("title", '; filename="t.txt"', b"a file")])
    response = await client.post("/todos", content=body, headers=headers)
    assert response.status_code == 400
    assert await fetch(db, "SELECT id FROM todos") == []


async def test_a_multipart_part_over_64_kib_is_400(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    body, headers = multipart(token, [("title", "", b"t"), ("description", "", b"d" * 70_000)])
    response = await client.post("/todos", content=body, headers=headers)
    assert response.status_code == 400
    assert await fetch(db, "SELECT id FROM todos") == []


async def test_a_body_over_the_cap_without_content_length_is_413(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")

    async def chunks() -> AsyncIterator[bytes]:
        yield f"csrf_token={token}&title=t&description=".encode()
        for _ in range(20):
            yield b"d" * 10_000

    response = await client.post(
        "/todos",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert await fetch(db, "SELECT id FROM todos") == []


@pytest.mark.parametrize("field", ["description", "email", "password"])
async def test_nul_bytes_are_refused_with_422(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, field: str
) -> None:
    if field == "description":
        response = await post_form(client, "/todos", {"title": "t", "description": "a\x00b"})
        assert response.status_code == 422
        assert await fetch(db, "SELECT id FROM todos") == []
        return
    client.cookies.clear()
    data = {"email": "new@example.com", "password": "long enough passphrase"} | {
        field: "new\x00@example.com" if field == "email" else "long enough\x00passphrase"
    }
    response = await post_form(client, "/signup", data, token_from="/signup")
    assert response.status_code == 422
    assert await fetch(db, "SELECT email FROM users WHERE email LIKE 'new%'") == []
