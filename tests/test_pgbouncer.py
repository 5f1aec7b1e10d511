"""The app behind a real PgBouncer in transaction pooling mode (DB_PGBOUNCER=true):
migrations, sign-up and concurrent writes work, and no prepared statement is reused
across transactions."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2
import pytest

from tests.databases import throwaway_postgres
from tests.helpers import SECRET
from tests.helpers import csrf_token_in as csrf_token
from tests.server import TODO_ROW, Server, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.postgres


@contextlib.contextmanager
def pgbouncer(upstream_url: str) -> Iterator[str]:
    """PgBouncer (transaction pooling, two server connections) in front of the database."""
    executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed")
        pytest.skip("pgbouncer is not installed")
    database = upstream_url.rsplit("/", 1)[1]
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="webapp-pgbouncer-"))
    (root / "users.txt").write_text('"postgres" ""\n')
    (root / "pgbouncer.ini").write_text(
        f"[databases]\n{database} = host=127.0.0.1 port=5432 dbname={database}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'users.txt'}\npool_mode = transaction\n"
        # Fewer server connections than app connections: transactions must share them.
        "default_pool_size = 2\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {root / 'pgbouncer.log'}\n"
    )
    user = "postgres" if os.geteuid() == 0 else None  # it refuses to run as root
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, *root.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen(
        [executable, str(root / "pgbouncer.ini")],
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            time.sleep(0.05)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{database}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def test_the_app_works_through_pgbouncer_in_transaction_mode(tmp_path: Path) -> None:
    with throwaway_postgres("webapp_pgbouncer") as direct, pgbouncer(direct) as url:
        env = {"SECRET_KEY": SECRET, "DB_PGBOUNCER": "true", "DB_POOL_SIZE": "6"}
        server = Server(tmp_path, database_url=url, env=env)
        server.start()
        try:
            server.wait_until_ready()  # `webapp serve` migrated through PgBouncer first
            _use_concurrently(server.base_url)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log()}") from exc
        finally:
            server.stop()


def _use_concurrently(base_url: str) -> None:
    def one_user(n: int) -> list[int]:
        with httpx2.Client(base_url=base_url, timeout=20) as client:
            page = client.get("/signup")
            response = client.post(
                "/signup",
                data={
                    "email": f"bouncer-{n}@example.com",
                    "password": "correct horse battery",
                    "csrf_token": csrf_token(page.text),
                },
            )
            statuses = [response.status_code]
            token = csrf_token(client.get("/").text)
            htmx = {"HX-Request": "true", "X-CSRF-Token": token}
            for i in range(10):
                statuses.append(
                    client.post("/todos", data={"title": f"todo {i}"}, headers=htmx).status_code
                )
            for todo_id, _ in TODO_ROW.findall(client.get("/").text):
                statuses.append(client.post(f"/todos/{todo_id}/toggle", headers=htmx).status_code)
            page = client.get("/completed")
            statuses.append(page.status_code)
            assert len(TODO_ROW.findall(page.text)) == 10
            return statuses

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one_user, range(6)))
    for statuses in results:
        assert statuses[0] == 303
        assert set(statuses[1:]) == {200}, statuses
