"""Before any timing: both apps answer every workload correctly and with the same bytes."""

from __future__ import annotations

import asyncio
import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bench import seed
from bench.runner import CSRF_META, TODO_ROW, request, sign

if TYPE_CHECKING:
    from bench.runner import Server
    from bench.seed import SeededUser

PAGE_SIZE = 50


class CheckFailed(AssertionError):
    pass


@dataclass
class Equivalence:
    """What was compared, for the results file."""

    identical: dict[str, bool] = field(default_factory=dict)
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    differences: dict[str, str] = field(default_factory=dict)


def _compare(result: Equivalence, name: str, ours: bytes, baseline: bytes) -> None:
    result.identical[name] = ours == baseline
    result.sizes[name] = {"ours": len(ours), "baseline": len(baseline)}
    if ours != baseline:
        diff = difflib.unified_diff(
            ours.decode(errors="replace").splitlines(),
            baseline.decode(errors="replace").splitlines(),
            "ours",
            "baseline",
            lineterm="",
            n=1,
        )
        result.differences[name] = "\n".join(list(diff)[:40])


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _htmx(user: SeededUser) -> dict[str, str]:
    csrf = sign("session", seed.session_id_for(user.token))
    return {
        "Cookie": f"session={user.token}",
        "HX-Request": "true",
        "HX-Request-Type": "partial",
        "X-CSRF-Token": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def check(ours: Server, baseline: Server, users: dict[str, SeededUser], db_url: str) -> Equivalence:
    result = Equivalence()
    servers = (ours, baseline)

    for size in seed.LIST_SIZES:
        user = users[seed.list_user(size)]
        bodies = []
        for server in servers:
            status, _, body = request(server.port, "GET", "/", {"Cookie": f"session={user.token}"})
            _expect(status == 200, f"{server.name}: list page answered {status}")
            rows = len(TODO_ROW.findall(body.decode()))
            _expect(rows == min(size, PAGE_SIZE), f"{server.name}: {rows} rows for {size}")
            meta = CSRF_META.search(body.decode())
            expected = sign("session", seed.session_id_for(user.token))
            _expect(meta is not None and meta.group(1) == expected, f"{server.name}: CSRF meta")
            bodies.append(body)
        _compare(result, f"list page, {size} todos", bodies[0], bodies[1])

    # Toggle one todo twice on each app (it ends as it began); compare each step.
    user = users["toggle"]
    todo_id = user.todo_ids[1]
    steps: list[list[bytes]] = [[], []]
    for i, server in enumerate(servers):
        for _ in range(2):
            status, _, body = request(
                server.port,
                "POST",
                f"/todos/{todo_id}/toggle",
                _htmx(user),
                f"csrf_token={_htmx(user)['X-CSRF-Token']}",
            )
            _expect(status == 200, f"{server.name}: toggle answered {status}")
            steps[i].append(body)
    _compare(result, "toggle (done)", steps[0][0], steps[1][0])
    _compare(result, "toggle (undone)", steps[0][1], steps[1][1])

    # Add the same todo on each, from the same starting list; the new ids differ.
    user = users["add"]
    added = []
    title = "Added <i>new</i> & 'q' \"dq\" — café ✓ #1"
    form = urlencode({"csrf_token": _htmx(user)["X-CSRF-Token"], "title": title, "description": ""})
    for server in servers:
        status, _, body = request(server.port, "POST", "/todos", _htmx(user), form)
        _expect(status == 200, f"{server.name}: add answered {status}")
        match = TODO_ROW.search(body.decode())
        _expect(match is not None, f"{server.name}: add returned no row")
        assert match is not None
        added.append(re.sub(rf"\b{match.group(1)}\b".encode(), b"ID", body))
        asyncio.run(seed.restore(db_url, users))
    _compare(result, "add (new id replaced)", added[0], added[1])

    # Log in: both redirect to the list with a new session cookie.
    user = users["login"]
    anonymous_seed = "bench-anonymous-csrf-seed"
    form = urlencode(
        {
            "email": user.email,
            "password": seed.PASSWORD,
            "csrf_token": sign("anonymous", anonymous_seed),
        }
    )
    headers = {
        "Cookie": f"csrftoken={anonymous_seed}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for server in servers:
        status, response_headers, _ = request(server.port, "POST", "/login", headers, form)
        _expect(status == 303, f"{server.name}: login answered {status}")
        location = response_headers.get("location") or response_headers.get("Location")
        _expect(location == "/", f"{server.name}: login redirected to {location}")
        cookie = response_headers.get("set-cookie") or response_headers.get("Set-Cookie") or ""
        _expect(cookie.startswith("session="), f"{server.name}: no session cookie")
    asyncio.run(seed.restore(db_url, users))
    return result
