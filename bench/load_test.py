"""A bounded load test: simulated users doing a realistic mix against PostgreSQL.

    uv run --locked --group bench python -m bench.load_test [--users 50] [--duration 180]

Serves the app the production way (`webapp serve --workers 2 --no-access-log`) on a
free loopback port, against a throwaway database on the local PostgreSQL server
(`TEST_DATABASE_URL`, or postgres@127.0.0.1:5432). Each simulated user signs up, then
loops over a weighted mix of actions with a short think time: view the list (with a
filter), add, toggle, rename, delete, and log out and in again. Every response is
checked (status and, for pages, content); any other status or a network error is an
error. Server memory (RSS of all its processes) is sampled every few seconds. The
result goes to docs/load-test.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx2

from bench.postgres import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "load-test.md"
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "webapp_load_test"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
ROW = re.compile(r'<li id="todo-(\d+)"')
# (action, weight): mostly reading, as people do.
MIX = [("list", 40), ("add", 15), ("toggle", 20), ("rename", 10), ("delete", 10), ("login", 5)]
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    memory: list[tuple[float, float]] = field(default_factory=list)


class User:
    def __init__(self, n: int, base_url: str, results: Results) -> None:
        self.email = f"load-{n}@example.com"
        self.client = httpx2.AsyncClient(base_url=base_url, timeout=30)
        self.results = results
        self.token = ""
        self.todos: list[int] = []

    async def timed(self, action: str, method: str, path: str, ok: int, **kwargs: object) -> str:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx2.HTTPError as exc:
            self.results.errors.append(f"{action}: {exc!r}")
            return ""
        self.results.latencies[action].append(time.perf_counter() - started)
        if response.status_code != ok:
            self.results.errors.append(f"{action}: {response.status_code} {path}")
            return ""
        return response.text

    async def refresh_token(self) -> None:
        page = await self.timed("list", "GET", "/", 200)
        if match := CSRF.search(page):
            self.token = match.group(1)
            self.todos = [int(n) for n in ROW.findall(page)]

    async def sign_up(self) -> None:
        page = await self.client.get("/signup")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on /signup"
        response = await self.client.post(
            "/signup",
            data={"email": self.email, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert response.status_code == 303, response.text
        await self.refresh_token()

    async def act(self, action: str) -> None:
        headers = HTMX | {"X-CSRF-Token": self.token}
        if action == "list":
            path = random.choice(["/", "/active", "/completed", "/?order=newest"])
            await self.timed("list", "GET", path, 200)
        elif action == "add" or not self.todos:
            title = f"Load test todo {random.randrange(10**6)} <&> ünïcode"
            html = await self.timed(
                "add", "POST", "/todos", 200, data={"title": title}, headers=headers
            )
            self.todos += [int(n) for n in ROW.findall(html)]
        elif action == "toggle":
            todo = random.choice(self.todos)
            await self.timed("toggle", "POST", f"/todos/{todo}/toggle", 200, headers=headers)
        elif action == "rename":
            todo = random.choice(self.todos)
            data = {"title": f"Renamed {random.randrange(10**6)}"}
            await self.timed("rename", "POST", f"/todos/{todo}", 200, data=data, headers=headers)
        elif action == "delete":
            todo = self.todos.pop(random.randrange(len(self.todos)))
            await self.timed("delete", "POST", f"/todos/{todo}/delete", 200, headers=headers)
        elif action == "login":
            await self.timed("logout", "POST", "/logout", 303, data={"csrf_token": self.token})
            page = await self.timed("login page", "GET", "/login", 200)
            token = CSRF.search(page)
            data = {
                "email": self.email,
                "password": PASSWORD,
                "csrf_token": token.group(1) if token else "",
            }
            await self.timed("login", "POST", "/login", 303, data=data)
            await self.refresh_token()

    async def run(self, until: float) -> None:
        actions, weights = zip(*MIX, strict=True)
        while time.monotonic() < until:
            await self.act(random.choices(actions, weights)[0])
            await asyncio.sleep(random.uniform(0.05, 0.3))  # think time
        await self.client.aclose()


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the workers), in MiB."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def sample_memory(pid: int, results: Results, until: float, started: float) -> None:
    while time.monotonic() < until:
        results.memory.append((time.monotonic() - started, rss_mib(pid)))
        await asyncio.sleep(5)


async def recreate_database() -> str:
    conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    return (
        ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        + f"/{DATABASE}"
    )


async def drop_database() -> None:
    conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(users: int, duration: float, workers: int) -> int:
    url = await recreate_database()
    port = free_port()
    log = ROOT / "bench" / "results" / "load-test-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": "load-test-secret-key-that-is-long-enough",
        # 50 users log in and out from one address in this test.
        "LOGIN_FAILURES_PER_ADDRESS": "1000",
    }
    command = [sys.executable, "-m", "webapp.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    results = Results()
    try:
        wait_for_port(port)
        base_url = f"http://127.0.0.1:{port}"
        simulated = [User(n, base_url, results) for n in range(users)]
        for user in simulated:
            await user.sign_up()
        results.latencies.clear()
        started = time.monotonic()
        until = started + duration
        await asyncio.gather(
            sample_memory(server.pid, results, until, started),
            *(user.run(until) for user in simulated),
        )
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        await drop_database()
    write_report(results, users, duration, workers, elapsed)
    print(REPORT.read_text())
    return 1 if results.errors else 0


def write_report(
    results: Results, users: int, duration: float, workers: int, elapsed: float
) -> None:
    everything = [v for values in results.latencies.values() for v in values]
    lines = [
        "# Load test",
        "",
        f"`uv run --locked --group bench python -m bench.load_test --users {users} "
        f"--duration {duration:.0f}`, run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"a {os.cpu_count()}-core machine, Python {platform.python_version()}.",
        "",
        f"{users} simulated users for {elapsed:.0f} s against PostgreSQL, the app served as in "
        f"production (`webapp serve --workers {workers} --no-access-log`), the load generator "
        "on the same machine. Each user: sign up, then a weighted mix "
        + ", ".join(f"{name} {weight} %" for name, weight in MIX)
        + " (login = log out, load the login page, log in), 50–300 ms think time.",
        "",
        f"**Requests: {len(everything):,} ({len(everything) / elapsed:.0f}/s). "
        f"Errors: {len(results.errors)}.**",
        "",
        "| action | requests | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for action, values in sorted(results.latencies.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"| {action} | {len(values):,} | {percentile(values, 0.5):.1f} | "
            f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | "
            f"{max(values) * 1000:.1f} |"
        )
    lines.append(
        f"| **all** | {len(everything):,} | {percentile(everything, 0.5):.1f} | "
        f"{percentile(everything, 0.95):.1f} | {percentile(everything, 0.99):.1f} | "
        f"{max(everything) * 1000:.1f} |"
    )
    memory = [mib for _, mib in results.memory]
    third = max(1, len(memory) // 3)
    lines += [
        "",
        f"Server memory (RSS of the server and its workers, sampled every 5 s): "
        f"{memory[0]:.0f} MiB at the start, {max(memory):.0f} MiB at most, "
        f"{memory[-1]:.0f} MiB at the end; mean of the first third "
        f"{statistics.mean(memory[:third]):.0f} MiB, of the last third "
        f"{statistics.mean(memory[-third:]):.0f} MiB.",
        "",
    ]
    if results.errors:
        lines += ["Errors (first 20):", "", *(f"- {e}" for e in results.errors[:20]), ""]
    REPORT.write_text("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.duration, args.workers)))
