"""What the tests share for talking to the app: settings, clients, CSRF tokens, logging
in, adding todos and reading back what the database holds.

The fixtures that build on these live in tests/conftest.py; the real server started as
a subprocess is in tests/server.py; throwaway PostgreSQL databases in tests/databases.py.
Test modules import from here, never from one another or from a conftest.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx2
from sqlalchemy import text
from starlette.routing import Mount, Route

from webapp.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"
# What htmx sends with a fragment request.
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key=SECRET,
        allowed_hosts=("testserver", "127.0.0.1", "localhost"),
        **overrides,
    )


# -- clients --


def client_for(
    app: Starlette, address: str = "127.0.0.1", *, raise_app_exceptions: bool = True
) -> httpx2.AsyncClient:
    """A client of its own (own cookies), connecting from `address`."""
    transport = httpx2.ASGITransport(
        app=app, client=(address, 40000), raise_app_exceptions=raise_app_exceptions
    )
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


# -- CSRF tokens and forms --


def csrf_token_in(html: str, where: str = "the page") -> str:
    """The CSRF token a page carries in its `<meta name="csrf-token">`."""
    match = CSRF_META.search(html)
    assert match, f"no CSRF token on {where}"
    return match.group(1)


async def csrf_token(client: httpx2.AsyncClient, path: str = "/login") -> str:
    """The CSRF token of the page at `path`, fetched with the client's cookies."""
    return csrf_token_in((await client.get(path)).text, path)


async def post_form(
    client: httpx2.AsyncClient,
    path: str,
    data: dict[str, str] | None = None,
    *,
    htmx: bool = False,
    token_from: str = "/",
) -> httpx2.Response:
    """POST a form the way the page does: with the page's CSRF token (and htmx's headers)."""
    token = await csrf_token(client, token_from)
    headers = HTMX if htmx else {}
    return await client.post(path, data={"csrf_token": token, **(data or {})}, headers=headers)


# -- accounts --


@dataclass
class Account:
    email: str
    password: str = PASSWORD


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


async def sign_up(client: httpx2.AsyncClient, email: str = "ada@example.com") -> Account:
    """Sign up through the form; the client is then logged in as the new user."""
    account = Account(email=email)
    response = await post_form(
        client,
        "/signup",
        {"email": account.email, "password": account.password},
        token_from="/signup",
    )
    assert response.status_code == 303, response.text
    return account


async def log_in(
    client: httpx2.AsyncClient, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx2.Response:
    """Post the login form (with the login page's token); the answer, not followed."""
    token = await csrf_token(client, "/login")
    return await client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        headers=headers,
    )


# -- todos and the database --


async def add_todo(client: httpx2.AsyncClient, title: str, description: str = "") -> None:
    response = await post_form(client, "/todos", {"title": title, "description": description})
    assert response.status_code == 303, response.text


async def fetch(db: AsyncSession, sql: str, **params: Any) -> list[Any]:
    """Rows straight from the database (a fresh transaction: what is really committed)."""
    await db.rollback()
    return list((await db.execute(text(sql), params)).all())


class StatementCounter:
    """Counts the SQL statements an engine sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


# -- routes --


def all_routes(app: Starlette) -> dict[str, tuple[str, set[str]]]:
    """Every named route of the app: its path and methods."""
    found: dict[str, tuple[str, set[str]]] = {}

    def walk(routes: list, prefix: str = "") -> None:  # type: ignore[type-arg]
        for route in routes:
            if isinstance(route, Route):
                found[route.name] = (prefix + route.path, set(route.methods or ()))
            elif isinstance(route, Mount):
                if route.name:
                    found[route.name] = (prefix + route.path, {"GET"})
                else:
                    walk(route.routes, prefix + route.path)

    walk(app.routes)
    return found
