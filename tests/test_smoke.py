"""Smoke test: the real server, started the way the README says, over real HTTP.

`python -m webapp.cli serve` applies the migrations to a fresh SQLite file and runs
uvicorn on a free loopback port; a cookie-keeping client then signs up, adds a todo and
ticks it off the way htmx does (fragment request, CSRF token in a header).
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
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
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


def csrf_token(html: str) -> str:
    match = CSRF_META.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_sign_up_add_and_toggle_a_todo_over_http(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        server.start()
        server.wait_until_ready()
        try:
            _walk_through(server.base_url)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log()}") from exc
    finally:
        server.stop()


def _walk_through(base_url: str) -> None:
    email = "smoke@example.com"
    title = "Buy milk from the smoke test"
    with httpx2.Client(base_url=base_url, timeout=10) as client:
        signup = client.get("/signup")
        assert signup.status_code == 200, signup.text
        response = client.post(
            "/signup",
            data={
                "email": email,
                "password": "correct horse battery",
                "csrf_token": csrf_token(signup.text),
            },
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"

        page = client.get("/")
        assert page.status_code == 200, page.text
        assert email in page.text
        # Logging in changed the CSRF token: it is bound to the new session.
        token = csrf_token(page.text)

        response = client.post("/todos", data={"title": title, "csrf_token": token})
        assert response.status_code == 303, response.text

        page = client.get("/")
        assert title in page.text
        rows = TODO_ROW.findall(page.text)
        assert len(rows) == 1, page.text
        todo_id, classes = rows[0]
        assert "completed" not in classes

        # What htmx sends when the checkbox changes (static/app.js adds the header).
        response = client.post(
            f"/todos/{todo_id}/toggle",
            headers={
                "HX-Request": "true",
                "HX-Request-Type": "partial",
                "X-CSRF-Token": csrf_token(page.text),
            },
        )
        assert response.status_code == 200, response.text
        assert f'<li id="todo-{todo_id}" class="completed' in response.text
        assert "<strong>0</strong> items left" in response.text
        assert "<html" not in response.text, "expected a fragment, got a whole page"

        page = client.get("/")
        assert f'<li id="todo-{todo_id}" class="completed' in page.text
        assert "<strong>0</strong> items left" in page.text
