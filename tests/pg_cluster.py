"""A PostgreSQL cluster of a test's own, which the test may stop and start again.

Created with initdb in a temporary folder, on a free loopback port, and run as the
`postgres` OS user when the tests run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.server import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Cluster:
    def __init__(self, root: Path, bin_dir: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.bin = bin_dir
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_server_user(), str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def init(self) -> None:
        subprocess.run(
            [
                *_as_server_user(),
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",  # a throwaway cluster; the server itself keeps fsync on
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
            )

    def start(self) -> None:
        self._pg_ctl("-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        # Fast: roll back open transactions and close connections, as a crash or a
        # restart by an operator would.
        self._pg_ctl("-m", "fast", "-w", "stop")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and deleted afterwards; fails in CI if it can't be made."""
    bin_dir = _bin_dir()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        message = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="webapp-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(root, bin_dir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
