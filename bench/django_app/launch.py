"""Starting the Django contender from the benchmark (standard library only).

The benchmark runs on the main project's Python without Django; the contender has its
own virtual environment (`.venv` here, built by uv from this folder's lock file) and is
driven through subprocesses:

- `ensure_venv(log)` builds or syncs the environment and returns its Python;
- `prepare(database_url, users, log)` applies Django's migrations to the benchmark's
  database and logs each user in, returning the Cookie header and CSRF header value;
- `command(python, host, port)` is the gunicorn command line (one sync worker). Its
  environment needs DATABASE_URL and SECRET_KEY (the same key as `prepare` used);
- `worker_pids(master_pid)`: the worker that does the work, for CPU and memory readings.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

APP_DIR = Path(__file__).resolve().parent
VENV = APP_DIR / ".venv"
PYTHON_VERSIONS = ("3.12", "3.13")


@dataclass(frozen=True)
class Credentials:
    cookie: str  # the whole Cookie header: "sessionid=...; csrftoken=..."
    csrf_header: str  # a token for the X-CSRF-Token header


class LaunchError(RuntimeError):
    pass


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise LaunchError("uv is not on PATH; it builds the Django contender's environment")
    return uv


def _base_env() -> dict[str, str]:
    """The caller's environment without the main project's virtual environment, and with
    Python downloads off: uv must use an installed interpreter."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME")
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def _usable(python: str) -> bool:
    try:
        result = subprocess.run(  # noqa: S603 - a candidate interpreter, checked
            [python, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "True"


def _candidates() -> Iterator[str]:
    for version in PYTHON_VERSIONS:
        found = subprocess.run(  # noqa: S603 - uv, found on PATH
            [_uv(), "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            env=_base_env(),
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip():
            yield found.stdout.strip()
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for version in PYTHON_VERSIONS:
        yield from sorted(
            glob.glob(str(pyenv_root / "versions" / f"{version}.*" / "bin" / "python")),
            reverse=True,
        )
    for version in PYTHON_VERSIONS:
        on_path = shutil.which(f"python{version}")
        if on_path:
            yield on_path


def find_python() -> Path:
    """An installed Python 3.12 or 3.13: the one uv finds, else pyenv's, else on PATH."""
    for candidate in _candidates():
        if _usable(candidate):
            return Path(candidate)
    raise LaunchError(
        "no Python 3.12 or 3.13 found (tried `uv python find`, pyenv's versions and PATH); "
        "Django 6 needs one, and uv may not download it here"
    )


def ensure_venv(log: Path) -> Path:
    """Build or sync `.venv` from uv.lock (pinned, from PyPI); return its Python."""
    python = find_python()
    with log.open("ab") as out:
        result = subprocess.run(  # noqa: S603 - uv, found on PATH
            [_uv(), "sync", "--locked", "--project", str(APP_DIR), "--python", str(python)],
            cwd=APP_DIR,
            env=_base_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise LaunchError(f"uv sync for the Django contender failed; see {log}")
    venv_python = VENV / "bin" / "python"
    if not venv_python.exists():
        raise LaunchError(f"{venv_python} missing after uv sync; see {log}")
    return venv_python


def _manage(
    python: Path, args: list[str], env: dict[str, str], log: Path, stdin: str | None = None
) -> str:
    with log.open("ab") as out:
        result = subprocess.run(  # noqa: S603 - Django's manage.py in our own environment
            [os.path.abspath(python), str(APP_DIR / "manage.py"), *args],
            cwd=APP_DIR,
            env=env,
            input=stdin.encode() if stdin is not None else None,
            stdout=subprocess.PIPE,
            stderr=out,
            check=False,
        )
    if result.returncode != 0:
        raise LaunchError(f"manage.py {args[0]} failed ({result.returncode}); see {log}")
    return result.stdout.decode()


def prepare(
    database_url: str,
    users: dict[str, int],
    log: Path,
    *,
    secret_key: str | None = None,
    python: Path | None = None,
) -> dict[str, Credentials]:
    """Migrate Django's own tables (contenttypes, auth, sessions) into the benchmark's
    database and log each user (name -> id in `users`) in.

    The sessions are signed with SECRET_KEY: pass the key the server will run with, or
    have it in the environment. `python` defaults to `ensure_venv(log)`.
    """
    key = secret_key or os.environ.get("SECRET_KEY")
    if not key:
        raise LaunchError("prepare() needs the server's SECRET_KEY (argument or environment)")
    if python is None:
        python = ensure_venv(log)
    env = _base_env() | {"DATABASE_URL": database_url, "SECRET_KEY": key}
    migrated = _manage(python, ["migrate", "--no-input"], env, log)
    with log.open("a") as out:
        out.write(migrated)
    printed = _manage(python, ["bench_sessions"], env, log, stdin=json.dumps(users))
    data = json.loads(printed)
    return {name: Credentials(**data[name]) for name in users}


def command(python: Path, host: str, port: int) -> list[str]:
    """gunicorn serving the contender: one sync worker, no access log (its default)."""
    return [
        # Not resolved: the venv's python is a symlink, and the venv is found through it.
        os.path.abspath(python),
        "-m",
        "gunicorn",
        "--chdir",
        str(APP_DIR),
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"{host}:{port}",
        "--graceful-timeout",
        "10",
        # gunicorn 24+ opens a control socket in ~/.gunicorn; nothing here uses it.
        "--no-control-socket",
        "todosite.wsgi:application",
    ]


def worker_pids(master_pid: int) -> list[int]:
    """gunicorn's worker processes: they serve the requests and use the CPU and memory,
    and /proc/<master>/stat does not count them until they exit."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return [int(pid) for pid in children.split()]


if __name__ == "__main__":
    # By hand: `python bench/django_app/launch.py` builds the environment.
    print(ensure_venv(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(os.devnull)))
