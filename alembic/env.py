"""Alembic environment: async engine, URL from the app's settings, models' metadata."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import TYPE_CHECKING, Any

from alembic import context
from sqlalchemy import event, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from webapp import models  # noqa: F401 - registers every table on Base.metadata
from webapp.config import Settings
from webapp.db import PGBOUNCER_CONNECT_ARGS, Base, compared_by_migrations

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    # A URL set on the Config (tests, the CLI) wins over the environment's settings.
    return config.get_main_option("sqlalchemy.url") or Settings.from_environ().database_url


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite can't ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        # Besides tables, columns, indexes and constraints, `alembic check` compares
        # column types and server defaults: a default the models have and the
        # migrations don't (or another one) is drift. PostgreSQL compares the two
        # expressions by evaluating them on the server; SQLite by their text as SQLite
        # writes it (func.now() is CURRENT_TIMESTAMP, false() is 0). The models and
        # the migrations use the same portable expressions, so neither reports drift
        # where there is none (tests/test_migrations.py checks both).
        **compared_by_migrations(),
        **options,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


# Any fixed number: the key of the advisory lock that serialises migrations.
MIGRATION_LOCK = 7_354_262_131


def do_run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several servers starting at once each migrate (`webapp serve`): one at a
            # time, and the others then find nothing left to do. A transaction-level
            # lock, so it also holds through PgBouncer's transaction pooling.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def _serialise_sqlite(engine: AsyncEngine) -> None:
    """Make every transaction on this engine a `BEGIN IMMEDIATE` (SQLite's write lock).

    SQLite has no advisory locks, and Python's driver runs DDL outside any transaction,
    so servers starting together would each create the tables. Taking the write lock
    at the start serialises them the same way (SQLAlchemy's recipe for aiosqlite).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _take_the_write_lock(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def run_async_migrations() -> None:
    url = _url()
    if url.startswith("sqlite"):
        # Wait for another process's migration instead of failing after 5 s.
        engine = create_async_engine(url, poolclass=pool.NullPool, connect_args={"timeout": 60})
        _serialise_sqlite(engine)
        async with engine.connect() as connection:
            # One transaction around the whole run: Alembic joins it (SQLite's DDL is
            # transactional), so the version table is read under the lock.
            await connection.run_sync(_in_one_transaction)
    else:
        # Through PgBouncer (transaction pooling) the app's connection options apply too.
        pgbouncer = Settings.from_environ().db_pgbouncer
        connect_args = PGBOUNCER_CONNECT_ARGS if pgbouncer else {}
        engine = create_async_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    await engine.dispose()


def _in_one_transaction(connection: Connection) -> None:
    with connection.begin():
        do_run_migrations(connection)


def run_migrations_online() -> None:
    # Code already inside an event loop (the tests) hands over its own connection
    # (Alembic cookbook: "Programmatic API use (connection sharing) With Asyncio").
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
