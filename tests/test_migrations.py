"""The Alembic migrations, on an empty SQLite file and an empty PostgreSQL database.

Proves that `upgrade head`, `downgrade base` and `upgrade head` again all work and leave
exactly the expected tables, indexes and named constraints; that the migrated schema
matches the models, server defaults included (no drift: what `alembic check` verifies,
and a dropped server default is caught); and that the foreign keys
really cascade on delete, which on SQLite needs the app engine's `PRAGMA foreign_keys=ON`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import throwaway_postgres
from tests.helpers import settings_for
from webapp import models  # noqa: F401 - registers every table on Base.metadata
from webapp.cli import alembic_config
from webapp.config import PROJECT_ROOT
from webapp.db import Base, compared_by_migrations, make_engine

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from alembic.config import Config as AlembicConfig

PG_MIGRATIONS_DB = "webapp_migrations_test"
APP_TABLES = {
    "users",
    "lists",
    "todos",
    "todo_labels",
    "login_sessions",
    "throttle_counters",
    "deletions",
}
# SQLite's full-text search: the FTS5 table and the tables it keeps its index in.
SQLITE_SEARCH_TABLES = {
    "todos_search",
    "todos_search_config",
    "todos_search_data",
    "todos_search_docsize",
    "todos_search_idx",
}


# -- an empty database --


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: no tables, not even `alembic_version`."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with throwaway_postgres(PG_MIGRATIONS_DB) as url:
        yield url


def _alembic(url: str) -> AlembicConfig:
    config = alembic_config(settings_for(url))
    # Leave pytest's logging alone: env.py would otherwise load alembic.ini's loggers.
    config.attributes["configure_logger"] = False
    return config


# -- what the database holds --


@dataclass(frozen=True)
class Schema:
    tables: set[str]
    indexes: dict[str, set[str]]
    uniques: dict[str, set[str]]
    foreign_keys: dict[str, dict[str, dict[str, Any]]]


def _reflect(sync_conn: Any) -> Schema:
    inspector = inspect(sync_conn)
    tables = set(inspector.get_table_names())
    app_tables = tables & APP_TABLES
    return Schema(
        tables=tables,
        indexes={
            # PostgreSQL also lists the index behind each unique constraint: not an index
            # of the models', so left out (the constraint is checked under `uniques`).
            t: {
                ix["name"]
                for ix in inspector.get_indexes(t)
                if ix["name"] and "duplicates_constraint" not in ix
            }
            for t in app_tables
        },
        uniques={t: {uq["name"] for uq in inspector.get_unique_constraints(t)} for t in app_tables},
        foreign_keys={
            t: {fk["name"]: fk for fk in inspector.get_foreign_keys(t)} for t in app_tables
        },
    )


async def _schema_async(url: str) -> Schema:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_reflect)
    finally:
        await engine.dispose()


def schema(url: str) -> Schema:
    return asyncio.run(_schema_async(url))


def assert_migrated(url: str) -> None:
    current = schema(url)
    search_tables = SQLITE_SEARCH_TABLES if url.startswith("sqlite") else set()
    assert current.tables == APP_TABLES | search_tables | {"alembic_version"}
    assert current.indexes == {
        "users": set(),
        "lists": {"ix_lists_owner_id", "ix_lists_deletion_id", "uq_lists_owner_id_inbox"},
        "todos": {
            "ix_todos_list_id_id",
            "ix_todos_list_id_due_on",
            "ix_todos_list_id_position",
            "ix_todos_deletion_id",
        }
        | ({"ix_todos_search"} if url.startswith("postgresql") else set()),
        "todo_labels": {"ix_todo_labels_name_todo_id"},
        "login_sessions": {"ix_login_sessions_user_id"},
        "throttle_counters": set(),
        "deletions": {"ix_deletions_owner_id"},
    }
    assert current.uniques == {
        "users": {"uq_users_email"},
        "lists": set(),
        "todos": set(),
        "todo_labels": set(),
        "login_sessions": set(),
        "throttle_counters": set(),
        "deletions": set(),
    }
    fks = current.foreign_keys
    assert set(fks["todos"]) == {"fk_todos_list_id_lists", "fk_todos_deletion_id_deletions"}
    assert set(fks["lists"]) == {"fk_lists_owner_id_users", "fk_lists_deletion_id_deletions"}
    assert set(fks["todo_labels"]) == {"fk_todo_labels_todo_id_todos"}
    assert set(fks["deletions"]) == {"fk_deletions_owner_id_users"}
    assert set(fks["login_sessions"]) == {"fk_login_sessions_user_id_users"}
    assert fks["users"] == {}
    for fk, table in (
        (fks["lists"]["fk_lists_owner_id_users"], "users"),
        (fks["todos"]["fk_todos_list_id_lists"], "lists"),
        (fks["todo_labels"]["fk_todo_labels_todo_id_todos"], "todos"),
        (fks["login_sessions"]["fk_login_sessions_user_id_users"], "users"),
    ):
        assert fk["referred_table"] == table
        assert fk["referred_columns"] == ["id"]
        assert fk["options"].get("ondelete") == "CASCADE"


def assert_empty(url: str) -> None:
    # Alembic keeps its (now empty) version table after `downgrade base`.
    assert schema(url).tables == {"alembic_version"}


# -- the tests --


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    url = empty_database_url
    config = _alembic(url)
    assert schema(url).tables == set()

    command.upgrade(config, "head")
    assert_migrated(url)

    command.downgrade(config, "base")
    assert_empty(url)

    command.upgrade(config, "head")
    assert_migrated(url)


async def _drift(url: str, metadata: MetaData = Base.metadata) -> list[Any]:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync_conn: compare_metadata(
                    MigrationContext.configure(sync_conn, opts=compared_by_migrations()),
                    metadata,
                )
            )
    finally:
        await engine.dispose()


def test_migrations_match_the_models(empty_database_url: str) -> None:
    """What `alembic check` verifies: autogenerate would find nothing to add."""
    config = _alembic(empty_database_url)
    command.upgrade(config, "head")
    assert asyncio.run(_drift(empty_database_url)) == []
    # And `alembic check` itself, configured by alembic/env.py, agrees.
    command.check(config)


def _server_defaults() -> list[tuple[str, str]]:
    return [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.server_default is not None
    ]


def _without_server_default(table: str, column: str) -> MetaData:
    """A copy of the models' metadata with one column's server default left out."""
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for each in Base.metadata.sorted_tables:
        each.to_metadata(metadata)
    metadata.tables[table].c[column].server_default = None
    return metadata


def test_a_server_default_missing_from_the_models_is_drift(empty_database_url: str) -> None:
    """The drift check compares server defaults: models that lost one (or migrations
    that never had it) don't match the migrated database."""
    command.upgrade(_alembic(empty_database_url), "head")
    columns = _server_defaults()
    assert ("todos", "done") in columns
    assert ("todos", "updated_at") in columns
    for table, column in columns:
        diffs = asyncio.run(_drift(empty_database_url, _without_server_default(table, column)))
        # One change: the column's default, from the migrated one to none.
        assert len(diffs) == 1, (table, column, diffs)
        (change,) = diffs[0]
        assert change[0] == "modify_default", (table, column, change)
        assert change[2:4] == (table, column)
        assert change[-2] is not None  # the database has a default...
        assert change[-1] is None  # ...the models don't


async def _cascade_leftovers(url: str) -> dict[str, int]:
    # The app's own engine: on SQLite it is what switches foreign keys on.
    engine = make_engine(settings_for(url))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO users (id, email, password_hash) VALUES (1, 'a@x.io', 'h')")
            )
            await conn.execute(
                text("INSERT INTO users (id, email, password_hash) VALUES (2, 'b@x.io', 'h')")
            )
            for owner in (1, 2):
                await conn.execute(
                    text("INSERT INTO lists (id, owner_id, name) VALUES (:owner, :owner, 'l')"),
                    {"owner": owner},
                )
                await conn.execute(
                    text("INSERT INTO todos (list_id, title) VALUES (:owner, 'a todo')"),
                    {"owner": owner},
                )
                await conn.execute(
                    text("INSERT INTO login_sessions (id, user_id) VALUES (:id, :user)"),
                    {"id": f"session-{owner}", "user": owner},
                )
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM users WHERE id = 1"))
        async with engine.connect() as conn:
            return {
                f"{table}.{column}={owner}": (
                    await conn.execute(
                        text(f"SELECT count(*) FROM {table} WHERE {column} = :owner"),  # noqa: S608
                        {"owner": owner},
                    )
                ).scalar_one()
                for table, column in (
                    ("lists", "owner_id"),
                    ("todos", "list_id"),
                    ("login_sessions", "user_id"),
                )
                for owner in (1, 2)
            }
    finally:
        await engine.dispose()


def test_deleting_a_user_cascades(empty_database_url: str) -> None:
    command.upgrade(_alembic(empty_database_url), "head")
    assert asyncio.run(_cascade_leftovers(empty_database_url)) == {
        # The deleted user's rows are gone (their todos with their lists)...
        "lists.owner_id=1": 0,
        "todos.list_id=1": 0,
        "login_sessions.user_id=1": 0,
        # ...and nobody else's.
        "lists.owner_id=2": 1,
        "todos.list_id=2": 1,
        "login_sessions.user_id=2": 1,
    }


# -- moving data: every user's todos into an Inbox, and back --

BEFORE_LISTS = "8d1f0c2a7b3e"


async def _run(url: str, *statements: str) -> list[list[tuple[Any, ...]]]:
    """Run SQL statements in one transaction; the rows of each that returns rows."""
    engine = make_engine(settings_for(url))
    try:
        results = []
        async with engine.begin() as conn:
            for statement in statements:
                result = await conn.execute(text(statement))
                results.append([tuple(row) for row in result] if result.returns_rows else [])
        return results
    finally:
        await engine.dispose()


def test_the_lists_migration_moves_every_todo_into_its_owners_inbox_and_back(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = _alembic(url)
    command.upgrade(config, BEFORE_LISTS)
    asyncio.run(
        _run(
            url,
            "INSERT INTO users (id, email, password_hash) VALUES"
            " (1, 'a@x.io', 'h'), (2, 'b@x.io', 'h'), (3, 'c@x.io', 'h')",
            "INSERT INTO deletions (id, owner_id) VALUES (1, 1)",
            "INSERT INTO todos (id, owner_id, title, done, deletion_id) VALUES"
            " (1, 1, 'a1', false, NULL), (2, 2, 'b1', true, NULL), (3, 1, 'a2', true, NULL),"
            " (4, 1, 'a deleted', false, 1)",
        )
    )

    command.upgrade(config, "head")
    lists, todos = asyncio.run(
        _run(
            url,
            "SELECT owner_id, name, is_inbox FROM lists ORDER BY owner_id",
            "SELECT todos.id, lists.owner_id, title, done, todos.deletion_id FROM todos"
            " JOIN lists ON lists.id = todos.list_id WHERE lists.is_inbox ORDER BY todos.id",
        )
    )
    # One Inbox each, the user without todos too; every todo in its owner's Inbox, as it was.
    assert lists == [(1, "Inbox", True), (2, "Inbox", True), (3, "Inbox", True)]
    assert todos == [
        (1, 1, "a1", False, None),
        (2, 2, "b1", True, None),
        (3, 1, "a2", True, None),
        (4, 1, "a deleted", False, 1),
    ]
    # A second list for user 1, with a todo, and a deleted list: downgrading gives the
    # todo back to its owner and purges the deleted list's todos.
    asyncio.run(
        _run(
            url,
            "INSERT INTO deletions (id, owner_id) VALUES (2, 1)",
            "INSERT INTO lists (id, owner_id, name) VALUES (10, 1, 'Work')",
            "INSERT INTO lists (id, owner_id, name, deletion_id) VALUES (11, 1, 'Gone', 2)",
            "INSERT INTO todos (id, list_id, title) VALUES (5, 10, 'work'), (6, 11, 'gone')",
        )
    )

    command.downgrade(config, BEFORE_LISTS)
    [todos] = asyncio.run(_run(url, "SELECT id, owner_id, title FROM todos ORDER BY id"))
    assert todos == [(1, 1, "a1"), (2, 2, "b1"), (3, 1, "a2"), (4, 1, "a deleted"), (5, 1, "work")]

    command.upgrade(config, "head")
    [counts] = asyncio.run(
        _run(
            url,
            "SELECT lists.owner_id, count(todos.id) FROM lists"
            " LEFT JOIN todos ON todos.list_id = lists.id GROUP BY lists.owner_id"
            " ORDER BY lists.owner_id",
        )
    )
    assert counts == [(1, 4), (2, 1), (3, 0)]
    assert asyncio.run(_drift(url)) == []


def test_servers_starting_together_migrate_one_at_a_time(empty_database_url: str) -> None:
    # `webapp serve` migrates on start, and several servers may start at the same moment.
    # Processes, as in production: Alembic's context is global to a process.
    url = empty_database_url
    env = os.environ | {"DATABASE_URL": url}
    command_line = [sys.executable, "-m", "webapp.cli", "migrate"]
    processes = [
        subprocess.Popen(command_line, env=env, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    failures = [
        error.decode()[-2000:]
        for process, error in zip(processes, errors, strict=True)
        if process.returncode != 0
    ]
    assert failures == []
    assert_migrated(url)


def _found(url: str, word: str) -> list[int]:
    """Todo ids the database's full-text index finds for `word` (as the app asks)."""
    if url.startswith("sqlite"):
        sql = (
            f"SELECT rowid FROM todos_search WHERE todos_search MATCH '\"{word}\"*' ORDER BY rowid"  # noqa: S608
        )
    else:
        sql = (
            "SELECT id FROM todos WHERE to_tsvector('english'::regconfig,"  # noqa: S608 - a word of the test
            " (title || ' ') || coalesce(description, ''))"
            f" @@ to_tsquery('english'::regconfig, '{word}:*') ORDER BY id"
        )
    [rows] = asyncio.run(_run(url, sql))
    return [row[0] for row in rows]


def test_todos_there_before_search_are_found_and_stay_through_down_and_up(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = _alembic(url)
    command.upgrade(config, BEFORE_LISTS)
    asyncio.run(
        _run(
            url,
            "INSERT INTO users (id, email, password_hash) VALUES (1, 'a@x.io', 'h')",
            "INSERT INTO todos (id, owner_id, title, description) VALUES"
            " (1, 1, 'Go running', NULL), (2, 1, 'Groceries', 'bread for the runners')",
        )
    )
    command.upgrade(config, "head")
    # Stemmed on both sides: "run" finds "running" and "runners".
    assert _found(url, "run") == [1, 2]
    asyncio.run(
        _run(
            url,
            "UPDATE todos SET due_on = '2026-12-07' WHERE id = 1",
            "INSERT INTO todo_labels (todo_id, name) VALUES (2, 'errands')",
            "UPDATE todos SET title = 'Go swimming' WHERE id = 1",
        )
    )
    # The index follows changes (SQLite: the triggers).
    assert _found(url, "swim") == [1]
    assert _found(url, "run") == [2]

    command.downgrade(config, "5b2e7c91d4a0")
    [todos] = asyncio.run(_run(url, "SELECT id, title FROM todos ORDER BY id"))
    assert todos == [(1, "Go swimming"), (2, "Groceries")]
    command.upgrade(config, "head")
    assert _found(url, "swim") == [1]
    assert asyncio.run(_drift(url)) == []
