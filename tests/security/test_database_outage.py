"""PostgreSQL stops while the app serves: fast 503s, recovery without a restart, and every
acknowledged write kept exactly once [data integrity]."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
import httpx2
import pytest

from tests.helpers import csrf_token_in as csrf_token
from tests.pg_cluster import own_cluster
from tests.server import Server

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.postgres

WORKERS = 6
# No request may take longer than this while the database is away.
BOUND = 5.0
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@dataclass
class Attempt:
    title: str
    phase: str
    status: int  # 0: no HTTP response at all
    seconds: float
    error: str = ""


async def _signed_up_client(base_url: str, n: int) -> tuple[httpx2.AsyncClient, str]:
    client = httpx2.AsyncClient(base_url=base_url, timeout=BOUND * 3)
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "email": f"outage-{n}@example.com",
            "password": "correct horse battery",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 303, response.text
    token = csrf_token((await client.get("/")).text)
    return client, token


async def test_postgres_outage_gives_fast_503s_then_recovers_keeping_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    with own_cluster() as cluster:
        server = Server(tmp_path, database_url=cluster.url, env={"DB_POOL_SIZE": "4"})
        server.start()
        try:
            await asyncio.to_thread(server.wait_until_ready)
            await _outage_under_load(server, cluster)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log()}\n{cluster.log()[-3000:]}") from exc
        finally:
            server.stop()


async def _outage_under_load(server: Server, cluster: object) -> None:
    from tests.pg_cluster import Cluster

    assert isinstance(cluster, Cluster)
    clients = [await _signed_up_client(server.base_url, n) for n in range(WORKERS)]
    attempts: list[Attempt] = []
    phase = "before"
    stop = asyncio.Event()

    async def worker(n: int, client: httpx2.AsyncClient, token: str) -> None:
        for i in range(100_000):
            if stop.is_set():
                return
            title = f"worker {n} todo {i}"
            started, started_in = time.monotonic(), phase
            error = ""
            try:
                response = await client.post(
                    "/todos", data={"title": title}, headers=HTMX | {"X-CSRF-Token": token}
                )
                status = response.status_code
            except httpx2.TransportError as exc:
                status, error = 0, repr(exc)
            elapsed = time.monotonic() - started
            attempts.append(Attempt(title, started_in, status, elapsed, error))
            if status != 200:
                await asyncio.sleep(0.05)  # a user would not retry in a tight loop either

    tasks = [asyncio.create_task(worker(n, *pair)) for n, pair in enumerate(clients)]
    try:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(cluster.stop)
        phase = "outage"
        outage_started = time.monotonic()
        # A page, not only fragments: our 503 page, quickly.
        page = await clients[0][0].get("/")
        assert page.status_code == 503
        assert "briefly unavailable" in page.text
        assert time.monotonic() - outage_started < BOUND
        await asyncio.sleep(3)
        # Requests started while it starts may see it up or not yet up.
        phase = "restarting"
        await asyncio.to_thread(cluster.start)
        phase = "after"
        # Recovery without restarting the app: every worker gets successes again.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            recovered = {a.title.split(" todo")[0] for a in attempts[-50:] if a.status == 200}
            if len(recovered) == WORKERS and any(
                a.phase == "after" and a.status == 200 for a in attempts
            ):
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for client, _ in clients:
            await client.aclose()

    by_phase = Counter((a.phase, a.status) for a in attempts)
    statuses = {a.status for a in attempts}
    errors = [(a.phase, a.error, round(a.seconds, 1)) for a in attempts if a.error]
    assert statuses <= {200, 503}, (by_phase, errors)
    assert by_phase[("before", 200)] > 0, by_phase
    assert by_phase[("outage", 503)] > 0, by_phase
    assert by_phase[("outage", 200)] == 0, by_phase
    assert by_phase[("after", 200)] > 0, by_phase
    slowest = max(a.seconds for a in attempts)
    assert slowest < BOUND, f"a request took {slowest:.1f} s"

    conn = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
    try:
        saved = Counter(row["title"] for row in await conn.fetch("SELECT title FROM todos"))
    finally:
        await conn.close()
    acknowledged = {a.title for a in attempts if a.status == 200}
    assert acknowledged <= set(saved), sorted(acknowledged - set(saved))
    assert max(saved.values()) == 1, [title for title, n in saved.items() if n > 1]
