"""The real server, started the way the README says (`webapp serve`), as a subprocess.

Used by the smoke test, the browser tests and the tests that need real processes
(scale-out, PgBouncer, graceful shutdown, database outage).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0
TODO_ROW = re.compile(r'<li id="todo-(\d+)" class="([^"]*)">')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """`webapp serve` as a subprocess; its output goes to files (a full pipe would block it)."""

    def __init__(
        self, tmp_path: Path, database_url: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database = tmp_path / "smoke.sqlite3"
        self.database_url = database_url
        self.env = env or {}
        self.stdout_path = tmp_path / "server.stdout"
        self.stderr_path = tmp_path / "server.stderr"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "webapp.cli", "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        url = self.database_url or f"sqlite+aiosqlite:///{self.database}"
        env = os.environ | {"DATABASE_URL": url} | self.env
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            # The child holds its own copies of the file descriptors.
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err
            )

    def wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx2.Client(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"server exited ({self.process.returncode})\n{self.log()}")
                try:
                    if client.get("/login").status_code == 200:
                        return
                except httpx2.TransportError:
                    pass
                time.sleep(0.1)
        raise AssertionError(f"server not ready after {STARTUP_TIMEOUT} s\n{self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        stderr = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        stdout = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        return f"--- server stderr ---\n{stderr}\n--- server stdout ---\n{stdout}"
