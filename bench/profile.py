"""`python -m bench --profile`: where each app's CPU goes under the list and toggle loads.

Each app is sampled with py-spy (Python frames only, no --native) while wrk drives it
exactly as in the timed runs; the collapsed stacks are kept in bench/results/ and
summarised here: CPU by component (the file of the innermost frame), the inclusive
share of the parts of the request flow we can act on, and the top functions.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench import postgres, runner, seed, setup
from bench.runner import WORKLOADS_BY_NAME

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench.runner import Options, Server

PROFILED = ("list1000", "toggle")
SAMPLE_RATE = 250
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")

# Innermost frame's file -> component; the first matching pattern wins.
COMPONENTS: tuple[tuple[str, str], ...] = (
    (".html", "Jinja2 template code (compiled templates)"),
    ("jinja2/", "Jinja2 runtime (escaping, includes, context)"),
    ("markupsafe/", "Jinja2 runtime (escaping, includes, context)"),
    ("sqlalchemy/orm/", "SQLAlchemy ORM"),
    ("sqlalchemy/pool/", "SQLAlchemy pool"),
    ("sqlalchemy/dialects/", "SQLAlchemy asyncpg dialect"),
    ("sqlalchemy/ext/asyncio/", "SQLAlchemy asyncio layer (greenlet bridge)"),
    ("sqlalchemy/util/_concurrency", "SQLAlchemy asyncio layer (greenlet bridge)"),
    ("greenlet", "SQLAlchemy asyncio layer (greenlet bridge)"),
    ("sqlalchemy/", "SQLAlchemy Core / engine (SQL, results)"),
    ("asyncpg/", "asyncpg"),
    ("starlette/", "Starlette (routing, requests, responses)"),
    ("uvicorn/", "uvicorn / httptools"),
    ("httptools/", "uvicorn / httptools"),
    ("webapp/", "our code (webapp/)"),
    ("bench/baseline.py", "baseline code"),
    ("asyncio/", "event loop (asyncio / uvloop)"),
    ("uvloop/", "event loop (asyncio / uvloop)"),
    ("anyio/", "anyio (thread pool)"),
    ("logging/", "logging"),
)


def _component(file: str) -> str:
    for pattern, name in COMPONENTS:
        if pattern in file:
            return name
    return "other (stdlib, C calls)"


@dataclass(frozen=True)
class Frame:
    func: str
    file: str


def _parse_frame(text: str) -> Frame:
    match = FRAME.match(text.strip())
    if match is None:
        return Frame(text.strip(), "")
    return Frame(match["func"], match["file"])


Stacks = list[tuple[list[Frame], int]]


def load(path: Path) -> Stacks:
    stacks: Stacks = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        frames, _, count = line.rpartition(" ")
        stacks.append(([_parse_frame(f) for f in frames.split(";")], int(count)))
    return stacks


def _in(file_part: str, *funcs: str) -> Callable[[Frame], bool]:
    """Frames in a file (path fragment), optionally only these functions.

    py-spy names methods `Class.method` and closures `outer.<locals>.inner`: the
    comparison is on the last part.
    """

    def matches(frame: Frame) -> bool:
        return file_part in frame.file and (not funcs or frame.func.rsplit(".", 1)[-1] in funcs)

    return matches


def _template(frame: Frame) -> bool:
    return frame.file.endswith(".html") or _in("jinja2/environment.py", "render")(frame)


# Parts of the request flow, measured inclusively (everything below them on the stack).
# SQLAlchemy's asyncio layer runs the ORM's synchronous code in greenlets, which py-spy
# shows as separate stacks rooted at the ORM call: matching any frame of a stack counts
# them where they belong.
PARTS: tuple[tuple[str, Callable[[Frame], bool]], ...] = (
    ("template rendering (compiled templates + Jinja2 runtime)", _template),
    ("  of which path_for -> Starlette url_path_for", _in("starlette/routing.py", "url_path_for")),
    ("SQLAlchemy, everything (ORM, Core, pool, dialect, asyncio layer)", _in("sqlalchemy/")),
    (
        "  ORM execute (Session.execute / scalar / scalars)",
        _in("sqlalchemy/orm/session.py", "execute", "scalar", "scalars", "_execute_internal"),
    ),
    ("    of which building ORM objects (loading)", _in("sqlalchemy/orm/loading.py")),
    (
        "    of which ORM-enabled UPDATE/INSERT (bulk_persistence)",
        _in("sqlalchemy/orm/bulk_persistence.py"),
    ),
    (
        "    of which compiling statements / cache keys",
        lambda f: "sqlalchemy/sql/compiler.py" in f.file or "sqlalchemy/sql/cache_key.py" in f.file,
    ),
    ("  pool checkout (incl. pre-ping) and return", _in("sqlalchemy/pool/")),
    (
        "    of which pre-ping",
        _in("sqlalchemy/", "_do_ping_w_event", "do_ping", "ping", "_async_ping"),
    ),
    ("  Session.commit / flush", _in("sqlalchemy/orm/session.py", "commit", "flush", "_autoflush")),
    (
        "  AsyncSession.close / rollback",
        _in("sqlalchemy/ext/asyncio/session.py", "close", "rollback"),
    ),
    ("asyncpg (protocol, prepared statements, records)", _in("asyncpg/")),
    ("webapp/queries.py (building the statements)", _in("webapp/queries.py")),
    ("Starlette (routing, request, response objects)", _in("starlette/")),
    ("uvicorn (httptools protocol)", _in("uvicorn/")),
    ("logging", _in("logging/")),
)


def analyse(stacks: Stacks) -> dict[str, object]:
    total = sum(n for _, n in stacks) or 1
    components: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    for frames, n in stacks:
        leaf = frames[-1]
        components[_component(leaf.file)] += n
        self_time[f"{leaf.func} ({_short(leaf.file)})"] += n
        for key in {f"{f.func} ({_short(f.file)})" for f in frames}:
            inclusive[key] += n
        for name, predicate in PARTS:
            if any(predicate(f) for f in frames):
                parts[name] += n
    return {
        "samples": total,
        "components": [(k, v / total) for k, v in components.most_common()],
        "parts": [(name, parts[name] / total) for name, _ in PARTS],
        "self": [(k, v / total) for k, v in self_time.most_common(25)],
        "inclusive": [(k, v / total) for k, v in inclusive.most_common(40)],
    }


def _short(file: str) -> str:
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def record(
    options: Options, server: Server, workload: str, env: dict[str, str], out: Path, log: Path
) -> float:
    """Sample the server while wrk drives it; its CPU milliseconds per request."""
    command = postgres.pinned(
        options.load_cpu,
        [
            *(str(Path(runner.python()).parent / "py-spy"), "record"),
            *("--pid", str(server.pid), "--rate", str(SAMPLE_RATE), "--format", "raw"),
            *("--output", str(out), "--duration", str(options.duration)),
            "--nonblocking",
        ],
    )
    with log.open("a") as log_file:
        spy = subprocess.Popen(command, stdout=log_file, stderr=log_file)  # noqa: S603
        time.sleep(0.5)
        cpu_before = server.cpu_seconds()
        result = runner.wrk(
            options, server, WORKLOADS_BY_NAME[workload], env, options.duration, log
        )
        server.wait_idle()
        cpu = server.cpu_seconds() - cpu_before
        spy.wait(timeout=options.duration + 60)
    handled = result["requests"] + options.connections
    return cpu * 1000 / handled


def run(options: Options, log_dir: Path, results_dir: Path, stamp: str) -> int:
    out_dir = results_dir / f"{stamp}-profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "profile.log"
    analyses: dict[tuple[str, str], dict[str, object]] = {}
    with setup.stage(options, log_dir) as stage:
        for workload in PROFILED:
            spec = WORKLOADS_BY_NAME[workload]
            for server in (stage.ours, stage.baseline):
                env = runner.load_env(spec, stage.users, server, log_dir)
                runner.wrk(options, server, spec, env, max(options.warmup, 1), log)
                server.wait_idle()
                path = out_dir / f"{server.name}-{workload}.txt"
                print(f"profiling {server.name} under {workload} ...", flush=True)
                cpu_ms = record(options, server, workload, env, path, log)
                (out_dir / f"{server.name}-{workload}.cpu_ms").write_text(f"{cpu_ms:.4f}\n")
                if spec.writes:
                    asyncio.run(seed.restore(stage.db_url, stage.users))
                analyses[(server.name, workload)] = analyse(load(path)) | {"cpu_ms": cpu_ms}
    text = summary(analyses)
    (out_dir / "summary.md").write_text(text)
    print(text)
    print(f"profiles: {out_dir.relative_to(runner.PROJECT_ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Summarise saved profiles again: `python -m bench.profile bench/results/<stamp>-profile`."""
    directory = Path((argv or sys.argv[1:])[0])
    analyses = {}
    for path in sorted(directory.glob("*.txt")):
        app, workload = path.stem.split("-", 1)
        cpu_file = path.with_suffix(".cpu_ms")
        cpu_ms = float(cpu_file.read_text()) if cpu_file.exists() else None
        analyses[(app, workload)] = analyse(load(path)) | {"cpu_ms": cpu_ms}
    text = summary(analyses)
    (directory / "summary.md").write_text(text)
    print(text)
    return 0


def comparison(analyses: dict[tuple[str, str], dict[str, object]], workload: str) -> list[str]:
    """CPU milliseconds per request by component, ours against the baseline."""
    ours, base = analyses.get(("ours", workload)), analyses.get(("baseline", workload))
    if not ours or not base or not ours.get("cpu_ms") or not base.get("cpu_ms"):
        return []

    def per_component(result: dict[str, object]) -> dict[str, float]:
        cpu = result["cpu_ms"]
        entries = result["components"]
        assert isinstance(cpu, float)
        assert isinstance(entries, list)
        return {name: share * cpu for name, share in entries}

    mine, theirs = per_component(ours), per_component(base)
    names = sorted(set(mine) | set(theirs), key=lambda n: -(mine.get(n, 0) - theirs.get(n, 0)))
    lines = [
        f"## {WORKLOADS_BY_NAME[workload].label}: CPU ms per request by component\n",
        "| component (innermost frame) | ours | baseline | difference |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        a, b = mine.get(name, 0.0), theirs.get(name, 0.0)
        lines.append(f"| {name} | {a:.3f} | {b:.3f} | {a - b:+.3f} |")
    lines.append(
        f"| **total** | **{ours['cpu_ms']:.3f}** | **{base['cpu_ms']:.3f}** "
        f"| **{float(ours['cpu_ms']) - float(base['cpu_ms']):+.3f}** |\n"  # type: ignore[arg-type]
    )
    return lines


def summary(analyses: dict[tuple[str, str], dict[str, object]]) -> str:
    lines = []
    for workload in PROFILED:
        lines.extend(comparison(analyses, workload))
    for (app, workload), result in analyses.items():
        cpu = result.get("cpu_ms")
        lines.append(
            f"## {app}, {WORKLOADS_BY_NAME[workload].label} ({result['samples']} samples"
            + (f", {cpu:.3f} CPU ms per request" if isinstance(cpu, float) else "")
            + ")\n"
        )
        for title, key in (
            ("By component (innermost frame)", "components"),
            ("Parts of the request (inclusive)", "parts"),
            ("Top functions, self", "self"),
            ("Top functions, inclusive", "inclusive"),
        ):
            lines.append(f"### {title}\n")
            entries = result[key]
            assert isinstance(entries, list)
            lines.extend(f"- {share:6.1%}  {name}" for name, share in entries)
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
