"""Alembic environment: async engine, URL from the app's settings, models' metadata."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import TYPE_CHECKING

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from webapp import models  # noqa: F401 - registers every table on Base.metadata
from webapp.config import Settings
from webapp.db import Base

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    # A URL set on the Config (tests, the CLI) wins over the environment's settings.
    return config.get_main_option("sqlalchemy.url") or Settings.from_environ().database_url


def _configure(**options: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite can't ALTER most things: batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
        **options,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


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
