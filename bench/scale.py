"""One person with 1,000 lists and 10,000 todos: how long each page takes (PostgreSQL).

    uv run --group bench python -m bench.scale [postgresql+asyncpg://...]

In process (the ASGI app called through the test client, no server or network), the
median and the worst of 20 requests per page, on a throwaway database `scale_try` on
127.0.0.1:5432 (dropped and made anew). A third of the todos are due (some overdue),
half carry a label, a quarter have a description.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import date
from typing import TYPE_CHECKING

import asyncpg
import httpx2
from alembic import command

from tests.helpers import csrf_token, settings_for, sign_up
from webapp.app import create_app
from webapp.cli import alembic_config

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

SERVER = "postgresql://postgres@127.0.0.1:5432"
URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/scale_try"
REQUESTS = 20


async def _fresh_database(url: str) -> None:
    conn = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await conn.execute("DROP DATABASE IF EXISTS scale_try WITH (FORCE)")
        await conn.execute("CREATE DATABASE scale_try")
    finally:
        await conn.close()
    await asyncio.to_thread(command.upgrade, alembic_config(settings_for(url)), "head")


async def _fill(url: str) -> None:
    """999 lists besides the Inbox, and 10,000 todos spread over all 1,000."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(
            "INSERT INTO lists (owner_id, name)"
            " SELECT 1, 'List ' || n FROM generate_series(1, 999) AS n"
        )
        await conn.execute(
            "INSERT INTO todos (list_id, title, description, done, due_on, position)"
            " SELECT 1 + n % 1000, 'Todo number ' || n || ' about running',"
            " CASE WHEN n % 4 = 0 THEN 'details ' || n END, n % 3 = 0,"
            " CASE WHEN n % 3 = 1 THEN $1::date + n % 30 - 10 END, n * 1024"
            " FROM generate_series(1, 10000) AS n",
            date.today(),
        )
        await conn.execute(
            "INSERT INTO todo_labels (todo_id, name)"
            " SELECT id, 'label' || id % 20 FROM todos WHERE id % 2 = 0"
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def _timed(label: str, request: Callable[[], Awaitable[httpx2.Response]]) -> None:
    seconds = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = await request()
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, (label, response.status_code)
    median, worst = statistics.median(seconds) * 1000, max(seconds) * 1000
    print(
        f"{label:28} median {median:6.1f} ms  worst {worst:6.1f} ms  {len(response.content):>9,} B"
    )


async def main(url: str) -> None:
    await _fresh_database(url)
    app = create_app(settings_for(url))
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await sign_up(client)
            await _fill(url)
            token = await csrf_token(client, "/")
            htmx = {"HX-Request": "true", "HX-Request-Type": "partial", "X-CSRF-Token": token}
            pages = ["/", "/lists/500", "/today", "/upcoming", "/labels/label4"]
            pages += ["/search?q=running", "/search?q=number 77", "/todos/1000/edit"]
            pages += ["/?order=due", "/?order=manual"]
            for path in pages:
                await _timed(path, lambda path=path: client.get(path))
            await _timed("htmx toggle", lambda: client.post("/todos/1000/toggle", headers=htmx))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else URL))
