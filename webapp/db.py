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
    from sqlalchemy.engine import Dialect, ExceptionContext
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


class DatabaseUnreachable(Exception):
    """The database server could not be reached (refused, reset, timed out, unknown host).

    The driver raises plain OSErrors for these while connecting; they are renamed here,
    where they happen, so that only they, and not every OSError, mean "try again later".
    """


def _unnamed_statement() -> str:
    return ""


# PgBouncer in transaction pooling mode may run each transaction on a different server
# connection, so a statement prepared in one can't be used in the next:
PGBOUNCER_CONNECT_ARGS: dict[str, Any] = {
    # no cache of prepared statements, neither SQLAlchemy's nor asyncpg's own;
    "prepared_statement_cache_size": 0,
    "statement_cache_size": 0,
    # PostgreSQL's unnamed statement, replaced by the next one: nothing is left behind
    # on the server connection, and no two clients can collide on a name;
    "prepared_statement_name_func": _unnamed_statement,
    # the server's own spelling of the encoding: with asyncpg's 'utf-8', PgBouncer sees
    # a different value and sends a SET before every transaction.
    "server_settings": {"client_encoding": "UTF8"},
}


# Seconds a request may wait for a connection (or its turn, webapp/turns.py): a 503 after.
POOL_TIMEOUT = 5


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
            # No pre-ping: asyncpg's costs three round trips (BEGIN, ping, ROLLBACK) on
            # every checkout, as many as the page's own queries. After a database
            # restart the first query on a dead connection fails (a 503), and that
            # disconnect invalidates the whole pool, so the next requests reconnect.
            # Give up quickly while the database is down.
            "pool_timeout": POOL_TIMEOUT,
            "connect_args": {"timeout": 5, "command_timeout": 30},
        }
        if settings.db_pgbouncer:
            options["connect_args"] |= PGBOUNCER_CONNECT_ARGS
    engine = create_async_engine(settings.database_url, **options)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine.sync_engine, "handle_error", _broken_connection_is_a_disconnect)
    event.listen(engine.sync_engine, "do_connect", _connect)
    return engine


def _connect(dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
    # The driver's own connect, with its socket errors named for what they are.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:
        raise DatabaseUnreachable(str(exc)) from exc


def _broken_connection_is_a_disconnect(context: ExceptionContext) -> None:
    # When the server ends a connection in the middle of an operation (a restart),
    # asyncpg may report the next use as InternalClientError ("another operation is in
    # progress") before it has noticed the closed socket, and the pool would hand the
    # dead connection out again. Calling it a disconnect invalidates it: the pool
    # reconnects (also during pre-ping), and the request gets a 503, not a 500.
    dbapi = context.dialect.loaded_dbapi
    if isinstance(context.original_exception, dbapi.InternalClientError):
        context.is_disconnect = True


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # Off by default in SQLite: without it ON DELETE CASCADE and foreign keys do nothing.
    cursor.execute("PRAGMA foreign_keys=ON")
    # Readers don't block the writer (and vice versa) across requests.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(
    engine: AsyncEngine, *, reading: bool = False
) -> async_sessionmaker[AsyncSession]:
    if reading:
        # For requests that only read (GET, HEAD): each statement is its own transaction,
        # which saves the BEGIN and COMMIT round trips. Under READ COMMITTED each
        # statement takes its own snapshot anyway.
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    # expire_on_commit=False: loaded objects stay readable after the commit; an expired
    # attribute would need implicit I/O to refresh, which async code can't do.
    return async_sessionmaker(engine, expire_on_commit=False)


def compared_by_migrations() -> dict[str, Any]:
    """What `alembic check` (and autogenerate) compares between the models and the
    database, beyond tables, columns, indexes and constraints: types and server
    defaults; and what it leaves out: the full-text search indexes, which the search
    migration makes for each database (SQLite's FTS5 tables, PostgreSQL's expression
    index) and the models can't describe."""

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return not (type_ == "table" and name is not None and name.startswith("todos_search"))

    def include_object(
        _object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
    ) -> bool:  # (Alembic's callback signature)
        return not (type_ == "index" and name == "ix_todos_search")

    return {
        "compare_type": True,
        "compare_server_default": True,
        "include_name": include_name,
        "include_object": include_object,
    }
