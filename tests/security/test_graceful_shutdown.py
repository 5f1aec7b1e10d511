"""Graceful shutdown: a request in flight when the server is told to stop still finishes
(and commits), then the database connections are closed."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import TYPE_CHECKING

import asyncpg
import httpx2
import pytest

from tests.databases import throwaway_postgres
from tests.helpers import csrf_token_in as csrf_token
from tests.server import TODO_ROW, Server

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.postgres


def _signed_up_with_a_todo(base_url: str) -> tuple[httpx2.Client, str, int]:
    client = httpx2.Client(base_url=base_url, timeout=30)
    page = client.get("/signup")
    client.post(
        "/signup",
        data={
            "email": "shutdown@example.com",
            "password": "correct horse battery",
            "csrf_token": csrf_token(page.text),
        },
    )
    token = csrf_token(client.get("/").text)
    assert client.post("/todos", data={"title": "In flight", "csrf_token": token}).is_redirect
    rows = TODO_ROW.findall(client.get("/").text)
    return client, token, int(rows[0][0])


def test_sigterm_lets_the_request_in_flight_finish_then_closes_the_database(
    tmp_path: Path,
) -> None:
    # Synchronous: throwaway_postgres runs its own event loop.
    with throwaway_postgres("webapp_shutdown") as url:
        server = Server(tmp_path, database_url=url)
        server.start()
        try:
            server.wait_until_ready()
            asyncio.run(_shutdown_with_a_request_in_flight(server, url.replace("+asyncpg", "")))
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log()}") from exc
        finally:
            server.stop()


async def _shutdown_with_a_request_in_flight(server: Server, url: str) -> None:
    assert server.process is not None
    client, token, todo_id = await asyncio.to_thread(_signed_up_with_a_todo, server.base_url)
    blocker = await asyncpg.connect(url)
    try:
        # Hold the row so the toggle waits inside its transaction.
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute("SELECT id FROM todos WHERE id = $1 FOR UPDATE", todo_id)
        toggle = asyncio.create_task(
            asyncio.to_thread(
                client.post,
                f"/todos/{todo_id}/toggle",
                headers={"HX-Request": "true", "X-CSRF-Token": token},
            )
        )
        await _wait_for_a_lock_wait(blocker)

        server.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(1)
        assert server.process.poll() is None, "the server quit with a request in flight"
        await transaction.rollback()

        response = await toggle
        assert response.status_code == 200, response.text
        assert 'class="completed"' in response.text
        exit_code = await asyncio.to_thread(server.process.wait, 15)
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert exit_code in (0, -signal.SIGTERM)
        done = await blocker.fetchval("SELECT done FROM todos WHERE id = $1", todo_id)
        assert done is True, "the finished request's commit was lost"
        assert "database connections closed" in server.log()
    finally:
        await blocker.close()
        client.close()


async def _wait_for_a_lock_wait(conn: asyncpg.Connection) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the toggle never waited for the row lock")
