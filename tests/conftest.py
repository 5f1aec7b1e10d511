"""Fixtures: the app on a fresh database (SQLite and PostgreSQL), a client, a user.

Every test that takes `app` (directly or through `client`) runs twice: once on a fresh
SQLite file and once on PostgreSQL. The schema always comes from the Alembic migrations.
Isolation: SQLite gets a copy of a migrated template file per test; PostgreSQL gets one
migrated database per run, truncated after each test. Both let the app commit for real,
so the unit of work is exercised exactly as in production.

Only fixtures live here; what tests import (clients, CSRF tokens, logging in, `fetch`)
is in tests/helpers.py.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import TYPE_CHECKING

import asyncpg
import httpx2
import pytest
from alembic import command
from sqlalchemy import event

from tests.databases import throwaway_postgres
from tests.helpers import Account, StatementCounter, settings_for, sign_up
from webapp.app import create_app
from webapp.cli import alembic_config

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from webapp.config import Settings

PG_TEST_DB = "webapp_test"
TABLES = (
    "login_sessions",
    "todo_labels",
    "todos",
    "lists",
    "deletions",
    "users",
    "throttle_counters",
)


# -- databases --


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    command.upgrade(alembic_config(settings_for(f"sqlite+aiosqlite:///{path}")), "head")
    return path


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


# -- a user and a statement counter --


@pytest.fixture
async def user(client: httpx2.AsyncClient) -> Account:
    """A signed-up, logged-in user on `client`."""
    return await sign_up(client)


@pytest.fixture
def count_statements(app: Starlette) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(sync_engine, "before_cursor_execute", counter)
