"""Running the servers, driving them with wrk, and measuring each timed run."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import seed
from bench.postgres import pinned, wait_for_port

if TYPE_CHECKING:
    from bench.seed import SeededUser

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
# Every app signs CSRF tokens with this key, so the load scripts can send valid ones.
SECRET_KEY = "benchmark-secret-key-0123456789-abcdefghijklmnop"  # noqa: S105
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# In-flight requests finish after wrk stops; CPU and statements are read after this.
SETTLE_SECONDS = 0.3
# Idle: at most one clock tick of CPU in this long (uvicorn's timers use a little).
IDLE_PROBE_SECONDS = 0.25
IDLE_CPU_SECONDS = 0.011


@dataclass(frozen=True)
class Options:
    rounds: int
    warmup: int
    duration: int
    login_duration: int
    connections: int
    app_cpu: int
    load_cpu: int
    pool_size: int
    pgbouncer: bool
    workloads: tuple[str, ...]
    allow_html_mismatch: bool = False
    # Which of APPS run (each only the workloads it has, APP_WORKLOADS).
    apps: tuple[str, ...] = ("ours", "baseline", "lean", "django")


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    script: str
    user: str
    list_size: int | None = None
    writes: bool = False
    # The page a GET workload asks for.
    path: str = "/"


WORKLOADS = (
    # Every Inbox has a third of its todos due (some overdue, some today) and a third
    # labelled: the list pages show due dates in words and label links.
    *(
        Workload(
            seed.list_user(n),
            f"list page, {n:,} todos (labels, due dates)",
            "list.lua",
            seed.list_user(n),
            n,
        )
        for n in seed.LIST_SIZES
    ),
    # Today across lists: the overdue and today's undone todos of the 100-todo Inbox.
    Workload(
        "today",
        f"Today page ({seed.TODAY_USER_SIZE} todos, a third due)",
        "list.lua",
        seed.list_user(seed.TODAY_USER_SIZE),
        path="/today",
    ),
    Workload(
        "toggle", f"htmx toggle ({seed.TOGGLE_SIZE} todos)", "toggle.lua", "toggle", writes=True
    ),
    Workload("add", "htmx add a todo", "add.lua", "add", writes=True),
    Workload("login", "log in (argon2id)", "login.lua", "login", writes=True),
)
WORKLOADS_BY_NAME = {w.name: w for w in WORKLOADS}

# The apps compared, in the order the tables show them: ours; the baseline (our
# templates on raw asyncpg: the data layer's cost); the lean hand-written page on raw
# asyncpg (the whole product's cost); Django with the same markup.
APPS = ("ours", "baseline", "lean", "django")
# What each app runs. The lean page has no login (that workload measures argon2id);
# Django runs the list at 20 and 1,000 todos, the toggle and add (not Today).
APP_WORKLOADS: dict[str, tuple[str, ...]] = {
    "ours": tuple(w.name for w in WORKLOADS),
    "baseline": tuple(w.name for w in WORKLOADS),
    "lean": tuple(w.name for w in WORKLOADS if w.name != "login"),
    "django": (seed.list_user(20), seed.list_user(1_000), "toggle", "add"),
}


@dataclass(frozen=True)
class Credentials:
    """How a logged-in browser talks to one app: its whole Cookie header, and the value
    of the X-CSRF-Token header its htmx requests send."""

    cookie: str
    csrf_header: str


def sign(kind: str, value: str) -> str:
    """The app's CSRF token (webapp/csrf.py): HMAC-SHA-256 of kind:value."""
    return hmac.new(SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def session_credentials(users: dict[str, SeededUser]) -> dict[str, Credentials]:
    """Ours, the baseline's and the lean page's: the seeded session cookie, and the CSRF
    token signed from its session id."""
    return {
        name: Credentials(f"session={user.token}", sign("session", seed.session_id_for(user.token)))
        for name, user in users.items()
    }


# -- servers ---------------------------------------------------------------------------------


class Server:
    """One app under test: its process (and any children: gunicorn's worker) pinned to
    the app core."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        log_dir: Path,
        port: int,
        credentials: dict[str, Credentials] | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.port = port
        self.workloads = APP_WORKLOADS[name]
        # Per seeded user; set once the app knows its users (Django's are prepared).
        self.credentials: dict[str, Credentials] = credentials or {}
        self.process: subprocess.Popen[bytes] | None = None

    def runs(self, workload: str) -> bool:
        return workload in self.workloads

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                self.command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=log
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                wait_for_port(self.port, timeout=0.5)
                status, _, _ = request(self.port, "GET", "/")
                if status in (200, 302, 303):
                    return
            except (OSError, TimeoutError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pids(self) -> list[int]:
        """The server process and its descendants (gunicorn's master and worker)."""
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo.extend(int(c) for c in (task / "children").read_text().split())
                except OSError:
                    continue
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process tree (all threads) so far. Children
        that exited meanwhile would be missed; the servers' don't (no worker restarts)."""
        total = 0
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / CLOCK_TICKS

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Until the server has finished what wrk left in flight (it keeps working on
        requests whose connections wrk closed: a login's argon2 runs to its end)."""
        deadline = time.monotonic() + timeout
        time.sleep(SETTLE_SECONDS)
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(IDLE_PROBE_SECONDS)
            if self.cpu_seconds() - before <= IDLE_CPU_SECONDS:
                return
        raise TimeoutError(f"{self.name} still busy {timeout} s after the load stopped")

    def memory_mib(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MiB, summed over the process tree."""
        values = {"VmRSS": 0.0, "VmHWM": 0.0}
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] += int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]


def core_busy_seconds(cpu: int) -> float:
    """Non-idle time of one core since boot, from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            ticks = [int(v) for v in line.split()[1:]]
            idle = ticks[3] + ticks[4]  # idle + iowait
            # guest time is already counted in user time
            return (sum(ticks[:8]) - idle) / CLOCK_TICKS
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# -- wrk -------------------------------------------------------------------------------------


def wrk(
    options: Options,
    server: Server,
    workload: Workload,
    env: dict[str, str],
    seconds: int,
    log: Path,
) -> dict[str, Any]:
    command = pinned(
        options.load_cpu,
        [
            "wrk",
            "-t1",
            f"-c{options.connections}",
            f"-d{seconds}s",
            "--latency",
            # Logins queue behind argon2 for seconds at this concurrency: a late answer
            # is a slow answer, not an error.
            "--timeout",
            "60s",
            "-s",
            str(BENCH_DIR / workload.script),
            f"http://127.0.0.1:{server.port}/",
        ],
    )
    completed = subprocess.run(  # noqa: S603 - our own command line
        command, env=os.environ | env, capture_output=True, text=True, check=False
    )
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}\n{completed.stdout}{completed.stderr}\n")
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr}")
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return result
    raise RuntimeError(f"no result line from wrk: {completed.stdout}")


def load_env(
    workload: Workload, users: dict[str, SeededUser], server: Server, work_dir: Path
) -> dict[str, str]:
    """What the workload's Lua script reads: this app's Cookie header and CSRF header
    for the workload's user, todo ids, credentials."""
    user = users[workload.user]
    credentials = server.credentials[workload.user]
    env = {
        "BENCH_LUA_DIR": str(BENCH_DIR),
        "BENCH_COOKIE": credentials.cookie,
        "BENCH_CSRF": credentials.csrf_header,
        "BENCH_PATH": workload.path,
    }
    if workload.name == "toggle":
        ids_file = work_dir / "toggle-ids.txt"
        ids_file.write_text("".join(f"{i}\n" for i in user.todo_ids))
        env["BENCH_IDS_FILE"] = str(ids_file)
    if workload.name == "login":
        anonymous_seed = "bench-anonymous-csrf-seed"
        env |= {
            "BENCH_COOKIE": f"csrftoken={anonymous_seed}",
            "BENCH_CSRF": sign("anonymous", anonymous_seed),
            "BENCH_EMAIL": user.email,
            "BENCH_PASSWORD": seed.PASSWORD,
        }
    return env


# -- one timed run -------------------------------------------------------------------------------


@dataclass
class Run:
    app: str
    workload: str
    round: int
    requests: int
    server_requests: int
    seconds: float
    requests_per_second: float
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    errors: int
    error_detail: dict[str, int]
    bytes_per_request: float
    statements: int
    statements_by_kind: dict[str, int]
    statements_per_request: float
    statements_per_request_without_transaction_control: float
    cpu_seconds: float
    cpu_ms_per_request: float
    cpu_utilisation: float
    foreign_cpu_on_app_core: float
    load_average: float
    rss_mib: float
    peak_rss_mib: float
    top_statements: list[dict[str, Any]] = field(default_factory=list)


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "END")


def _kind(query: str) -> str:
    head = query.lstrip().split(None, 1)[0].rstrip(";").upper() if query.strip() else "(empty)"
    return head


async def _measure_database(admin_url: str) -> list[seed.StatementCount]:
    return await seed.read_statements(admin_url, "bench")


def measure(
    options: Options,
    server: Server,
    workload: Workload,
    round_: int,
    env: dict[str, str],
    admin_url: str,
    app_url: str,
    users: dict[str, SeededUser],
    log: Path,
) -> Run:
    seconds = options.login_duration if workload.name == "login" else options.duration
    if options.warmup:
        wrk(options, server, workload, env, options.warmup, log)
        server.wait_idle()
    asyncio.run(seed.reset_statements(admin_url))
    core_before = core_busy_seconds(options.app_cpu)
    cpu_before = server.cpu_seconds()
    result = wrk(options, server, workload, env, seconds, log)
    server.wait_idle()
    cpu = server.cpu_seconds() - cpu_before
    # Whatever else ran on the app's core meanwhile (the machine may be shared): the
    # core's busy time that was not our server's.
    foreign = max(core_busy_seconds(options.app_cpu) - core_before - cpu, 0.0)
    rss, peak = server.memory_mib()
    statements = asyncio.run(_measure_database(admin_url))
    if workload.writes:
        asyncio.run(seed.restore(app_url, users))

    requests = result["requests"]
    wall = result["duration_us"] / 1e6
    by_kind: dict[str, int] = {}
    for s in statements:
        by_kind[_kind(s.query)] = by_kind.get(_kind(s.query), 0) + s.calls
    total = sum(by_kind.values())
    control = sum(n for k, n in by_kind.items() if k in TRANSACTION_CONTROL)
    errors = {
        k.removeprefix("errors_"): int(v) for k, v in result.items() if k.startswith("errors_")
    }
    # wrk stops with one request outstanding on each connection; the server still
    # answers those (their statements and CPU land in this run), so per-request
    # figures divide by what the server handled: wrk's count plus one per connection.
    handled = requests + options.connections if requests else 0
    per = max(handled, 1)
    return Run(
        app=server.name,
        workload=workload.name,
        round=round_,
        requests=requests,
        server_requests=handled,
        seconds=wall,
        requests_per_second=requests / wall,
        latency_p50_ms=result["latency_p50_us"] / 1000,
        latency_p90_ms=result["latency_p90_us"] / 1000,
        latency_p99_ms=result["latency_p99_us"] / 1000,
        latency_max_ms=result["latency_max_us"] / 1000,
        errors=sum(errors.values()),
        error_detail=errors,
        bytes_per_request=result["bytes"] / max(requests, 1),
        statements=total,
        statements_by_kind=by_kind,
        statements_per_request=total / per,
        statements_per_request_without_transaction_control=(total - control) / per,
        cpu_seconds=cpu,
        cpu_ms_per_request=cpu * 1000 / per,
        cpu_utilisation=cpu / wall,
        foreign_cpu_on_app_core=foreign / wall,
        load_average=os.getloadavg()[0],
        rss_mib=rss,
        peak_rss_mib=peak,
        top_statements=[
            {"query": s.query[:300], "calls": s.calls, "per_request": s.calls / per}
            for s in statements[:12]
        ],
    )


def run_as_dict(run: Run) -> dict[str, Any]:
    return asdict(run)


def python() -> str:
    return sys.executable
