"""Throwaway PostgreSQL databases: created empty for a test run (or a test), dropped after.

The server comes from `TEST_DATABASE_URL` (a server URL whose user may create
databases), or else the local server at 127.0.0.1:5432 as user `postgres`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import TYPE_CHECKING

import asyncpg
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

PG_DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


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


async def _drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


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
