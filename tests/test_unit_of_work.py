"""The unit-of-work middleware: commit before the status line (< 400), else roll back.

A small app of its own wires the real middleware around routes that misbehave on
purpose, on both databases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.helpers import fetch
from webapp import errors
from webapp.app import create_app
from webapp.middleware.unit_of_work import UnitOfWorkMiddleware
from webapp.models import User
from webapp.state import db_session

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import Request

    from webapp.config import Settings

sessions_seen: list[AsyncSession] = []


def _add_user(request: Request, email: str = "uow@example.com") -> None:
    db = db_session(request)
    sessions_seen.append(db)
    db.add(User(email=email, password_hash="x"))


async def ok(request: Request) -> Response:
    _add_user(request)
    return PlainTextResponse("SAVED-OK")


async def redirect(request: Request) -> Response:
    _add_user(request)
    return Response(status_code=303, headers={"Location": "/"})


async def client_error(request: Request) -> Response:
    _add_user(request)
    return PlainTextResponse("bad", status_code=422)


async def raises_http(request: Request) -> Response:
    _add_user(request)
    raise HTTPException(404)


async def crashes(request: Request) -> Response:
    _add_user(request)
    raise RuntimeError("boom")


async def commit_fails(request: Request) -> Response:
    # Both rows reach the database only at commit: the unique constraint fails there.
    _add_user(request, "same@example.com")
    db_session(request).add(User(email="same@example.com", password_hash="y"))
    return PlainTextResponse("SAVED-OK")


@pytest.fixture
async def uow_client(settings: Settings) -> AsyncIterator[httpx2.AsyncClient]:
    real = create_app(settings)  # for its lifespan (engine) and error templates
    app = Starlette(
        routes=[
            Route(f"/{endpoint.__name__}", endpoint, methods=["POST"])
            for endpoint in (ok, redirect, client_error, raises_http, crashes, commit_fails)
        ],
        middleware=[Middleware(UnitOfWorkMiddleware)],
        exception_handlers={HTTPException: errors.http_exception, Exception: errors.server_error},
    )
    sessions_seen.clear()
    async with real.router.lifespan_context(real):
        app.state.sessionmaker = real.state.sessionmaker
        app.state.reading_sessionmaker = real.state.reading_sessionmaker
        app.state.db_turns = real.state.db_turns
        app.state.templates = real.state.templates
        app.state.settings = real.state.settings
        app.state.security_headers = real.state.security_headers
        # The error page links home; give this app a route by that name.
        app.router.routes.append(Route("/", ok, name="todos_all"))
        app.router.routes.append(Route("/static/{path:path}", ok, name="static"))
        app.router.routes.append(Route("/vendor/{path:path}", ok, name="htmx"))
        transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as c:
            c.app = real  # type: ignore[attr-defined]
            yield c


async def users(client: httpx2.AsyncClient) -> list[str]:
    async with client.app.state.sessionmaker() as db:  # type: ignore[attr-defined]
        return [row.email for row in await fetch(db, "SELECT email FROM users")]


@pytest.mark.parametrize(("path", "status"), [("/ok", 200), ("/redirect", 303)])
async def test_success_commits(uow_client: httpx2.AsyncClient, path: str, status: int) -> None:
    response = await uow_client.post(path)
    assert response.status_code == status
    assert await users(uow_client) == ["uow@example.com"]


@pytest.mark.parametrize(
    ("path", "status"), [("/client_error", 422), ("/raises_http", 404), ("/crashes", 500)]
)
async def test_errors_roll_back(uow_client: httpx2.AsyncClient, path: str, status: int) -> None:
    response = await uow_client.post(path)
    assert response.status_code == status
    assert await users(uow_client) == []


async def test_a_failed_commit_is_an_error_page_not_success(
    uow_client: httpx2.AsyncClient,
) -> None:
    response = await uow_client.post("/commit_fails")
    assert response.status_code == 500
    assert "SAVED-OK" not in response.text
    assert "Your change could not be saved" in response.text
    assert "IntegrityError" not in response.text
    assert "INSERT" not in response.text
    assert await users(uow_client) == []


@pytest.mark.parametrize("path", ["/ok", "/client_error", "/crashes", "/commit_fails"])
async def test_the_session_is_always_closed(uow_client: httpx2.AsyncClient, path: str) -> None:
    await uow_client.post(path)
    assert len(sessions_seen) == 1
    db = sessions_seen[0]
    # Closed: no transaction left open and nothing held in the identity map.
    assert not db.in_transaction()
    assert len(db.identity_map) == 0
