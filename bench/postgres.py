"""A throwaway PostgreSQL cluster (and optionally PgBouncer) that lives for one run.

Everything sits in one temporary directory that is removed at the end, whatever
happened; the servers run as the `postgres` OS user when we are root (PostgreSQL
refuses to run as root) and are pinned to the load-generator core.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "bench"
ROLE = "bench"
ADMIN_ROLE = "postgres"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _as_server_user() -> list[str]:
    # PostgreSQL and PgBouncer refuse to run as root; as anyone else, run as ourselves.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"]
    return []


def _chown_for_server(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def pinned(cpu: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command]


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def url(self, role: str = ROLE, database: str = DATABASE, driver: str = "") -> str:
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{role}@{self.host}:{self.port}/{database}"


@contextlib.contextmanager
def cluster(cpu: int, log: Path) -> Iterator[Endpoint]:
    """initdb + pg_ctl start on a free loopback port; stopped and deleted on exit."""
    root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data = root / "data"
    _chown_for_server(root)
    port = free_port()
    started = False
    try:
        _run(
            [
                *_as_server_user(),
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                ADMIN_ROLE,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                # The cluster is deleted after the run: syncing its files at creation
                # is wasted time. The server itself keeps fsync on.
                "--no-sync",
            ],
            log,
        )
        settings = {
            "port": str(port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{root}'",
            "shared_preload_libraries": "'pg_stat_statements'",
            "pg_stat_statements.track": "'top'",
            # On by default; said here because the per-request counts depend on it
            # (BEGIN / COMMIT are utility statements).
            "pg_stat_statements.track_utility": "on",
            "pg_stat_statements.max": "5000",
            # VACUUM ANALYZE runs between timed runs instead, so no background vacuum
            # lands in the middle of one app's run and not the other's.
            "autovacuum": "off",
            "max_connections": "100",
            "shared_buffers": "256MB",
        }
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n# bench\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        _run(
            pinned(
                cpu,
                [
                    *_as_server_user(),
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "start",
                ],
            ),
            log,
        )
        started = True
        yield Endpoint("127.0.0.1", port)
    finally:
        if started:
            subprocess.run(  # noqa: S603 - fixed argument list
                [
                    *_as_server_user(),
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        server_log = root / "server.log"
        if server_log.exists():
            with log.open("a") as out:
                out.write(server_log.read_text(errors="replace"))
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def pgbouncer(upstream: Endpoint, cpu: int, pool_size: int, log: Path) -> Iterator[Endpoint]:
    """PgBouncer in transaction pooling mode in front of `upstream`, until exit."""
    root = Path(tempfile.mkdtemp(prefix="bench-pgbouncer-"))
    _chown_for_server(root)
    port = free_port()
    (root / "userlist.txt").write_text(f'"{ROLE}" ""\n"{ADMIN_ROLE}" ""\n')
    (root / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{DATABASE} = host={upstream.host} port={upstream.port} dbname={DATABASE}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {root / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        # The database sees at most as many connections as one app's own pool.
        f"default_pool_size = {pool_size}\n"
        "max_client_conn = 500\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {root / 'pgbouncer.log'}\n"
        "log_connections = 0\n"
        "log_disconnections = 0\n"
        "admin_users = postgres\n"
    )
    for path in root.iterdir():
        _chown_for_server(path)
    # Started directly as the server user (not through runuser) so that the process we
    # hold is PgBouncer itself and terminating it needs no signal forwarding.
    server_user = "postgres" if os.geteuid() == 0 else None
    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        pinned(cpu, ["pgbouncer", str(root / "pgbouncer.ini")]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user=server_user,
        group=server_user,
        extra_groups=[] if server_user else None,
    )
    try:
        wait_for_port(port)
        yield Endpoint("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        bouncer_log = root / "pgbouncer.log"
        if bouncer_log.exists():
            with log.open("a") as out:
                out.write(bouncer_log.read_text(errors="replace"))
        shutil.rmtree(root, ignore_errors=True)


def pgbouncer_version() -> str:
    out = subprocess.run(
        ["pgbouncer", "--version"],  # noqa: S607 - pgbouncer from PATH, like wrk
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return out.splitlines()[0].removeprefix("PgBouncer ") if out else "unknown"


def _run(command: list[str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        subprocess.run(command, check=True, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
