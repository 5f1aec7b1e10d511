"""Fixtures: the app on a fresh database (SQLite and PostgreSQL), a client, helpers.

Every test that takes `app` (directly or through `client`) runs twice: once on a fresh
SQLite file and once on PostgreSQL. The schema always comes from the Alembic migrations.
Isolation: SQLite gets a copy of a migrated template file per test; PostgreSQL gets one
migrated database per run, truncated after each test. Both let the app commit for real,
so the unit of work is exercised exactly as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx2
import pytest
from alembic import command
from sqlalchemy import event, text

from webapp.app import create_app
from webapp.cli import alembic_config
from webapp.config import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

PG_DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_TEST_DB = "webapp_test"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
TABLES = ("login_sessions", "todos", "users", "throttle_counters")


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key=SECRET,
        allowed_hosts=("testserver", "127.0.0.1", "localhost"),
        **overrides,
    )


# -- databases --


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    command.upgrade(alembic_config(settings_for(f"sqlite+aiosqlite:///{path}")), "head")
    return path


def _admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql+asyncpg://", "postgresql://")
    return PG_DEFAULT_ADMIN_URL


async def _recreate_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


@contextlib.contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (URL for asyncpg), dropped afterwards.

    CI must run the PostgreSQL tests: there (CI=true) an unreachable server is an
    error, elsewhere it skips with the reason.
    """
    name = f"{prefix}_{os.getpid()}"  # runs side by side don't share a database
    try:
        url = asyncio.run(_recreate_database(_admin_url(), name))
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL is not reachable at {_admin_url()}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield url
    finally:
        asyncio.run(_drop_database(_admin_url(), name))


async def _drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test run's own."""
    with throwaway_postgres(PG_TEST_DB) as url:
        command.upgrade(alembic_config(settings_for(url)), "head")
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    asyncio.run(_truncate(url))


async def _truncate(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


# -- the app and a client --


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    # httpx's ASGI transport doesn't run the lifespan: run the real one around the test.
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def db(app: Starlette) -> AsyncIterator[AsyncSession]:
    """A session of the test's own, to check what the app saved."""
    async with app.state.sessionmaker() as session:
        yield session


async def fetch(db: AsyncSession, sql: str, **params: Any) -> list[Any]:
    """Rows straight from the database (a fresh transaction: what is really committed)."""
    await db.rollback()
    return list((await db.execute(text(sql), params)).all())


# -- helpers --

CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def csrf_token(client: httpx2.AsyncClient, path: str = "/login") -> str:
    response = await client.get(path)
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


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
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"} if htmx else {}
    return await client.post(path, data={"csrf_token": token, **(data or {})}, headers=headers)


@dataclass
class Account:
    email: str
    password: str = "correct horse battery"


async def sign_up(client: httpx2.AsyncClient, email: str = "ada@example.com") -> Account:
    account = Account(email=email)
    response = await post_form(
        client,
        "/signup",
        {"email": account.email, "password": account.password},
        token_from="/signup",
    )
    assert response.status_code == 303, response.text
    return account


@pytest.fixture
async def user(client: httpx2.AsyncClient) -> Account:
    """A signed-up, logged-in user on `client`."""
    return await sign_up(client)


async def add_todo(client: httpx2.AsyncClient, title: str, description: str = "") -> None:
    response = await post_form(client, "/todos", {"title": title, "description": description})
    assert response.status_code == 303, response.text


class StatementCounter:
    """Counts the SQL statements an engine sends while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(app: Starlette) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(sync_engine, "before_cursor_execute", counter)
