"""Declarative base, engine and session factories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.pool import ConnectionPoolEntry

    from webapp.config import Settings

# Named constraints from the first migration on, so later migrations can drop or alter
# them by name on every backend (SQLite batch mode needs the names too).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend.

    PostgreSQL returns aware datetimes; SQLite stores UTC text and returns naive ones,
    which this marks as UTC so the rest of the code only ever sees aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# 64-bit ids on PostgreSQL; SQLite's rowid is already 64-bit, and only a column declared
# exactly INTEGER PRIMARY KEY becomes it.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(settings: Settings) -> AsyncEngine:
    options: dict[str, Any] = {"echo": settings.sql_echo}
    if settings.is_sqlite:
        # One embedded file: a handful of connections; waits on the write lock instead of
        # failing with "database is locked".
        options["connect_args"] = {"timeout": 5}
    else:
        options |= {
            "pool_size": settings.db_pool_size,
            "max_overflow": 0,
            # Test each pooled connection before use so the app recovers on its own
            # after the database restarts, and give up quickly while it is down.
            "pool_pre_ping": True,
            "pool_timeout": 5,
            "connect_args": {"timeout": 5, "command_timeout": 30},
        }
    engine = create_async_engine(settings.database_url, **options)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # Off by default in SQLite: without it ON DELETE CASCADE and foreign keys do nothing.
    cursor.execute("PRAGMA foreign_keys=ON")
    # Readers don't block the writer (and vice versa) across requests.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: loaded objects stay readable after the commit; an expired
    # attribute would need implicit I/O to refresh, which async code can't do.
    return async_sessionmaker(engine, expire_on_commit=False)
