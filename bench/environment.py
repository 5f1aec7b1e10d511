"""What the results were measured on: machine, versions, source revision."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "starlette",
    "sqlalchemy",
    "asyncpg",
    "jinja2",
    "uvicorn",
    "uvloop",
    "httptools",
    "pwdlib",
    "argon2-cffi",
)


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 1024**2, 1) if memory else None,
        "kernel": platform.release(),
        "os": _os_name(),
    }


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        match = re.search(r'^PRETTY_NAME="?([^"\n]+)', release.read_text(), re.MULTILINE)
        if match:
            return match.group(1)
    return platform.system()


def versions(postgres_version: str) -> dict[str, str]:
    found = {"python": platform.python_version(), "postgresql": postgres_version}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    wrk = re.search(r"wrk (\S+)", _first_line(["wrk", "-v"]))
    found["wrk"] = wrk.group(1) if wrk else "unknown"
    return found


DJANGO_PACKAGES = ("django", "gunicorn", "psycopg", "psycopg-binary", "psycopg2", "jinja2")


def django_versions(python: Path) -> dict[str, str]:
    """Versions in Django's own virtual environment (named `django: <package>`)."""
    script = (
        "import json, importlib.metadata as m\n"
        "found = {}\n"
        f"for name in {DJANGO_PACKAGES!r}:\n"
        "    try:\n"
        "        found[name] = m.version(name)\n"
        "    except m.PackageNotFoundError:\n"
        "        pass\n"
        "print(json.dumps(found))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own command line
        [str(python), "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    try:
        found: dict[str, str] = json.loads(out.stdout)
    except ValueError:
        return {"django": "unknown"}
    return {f"django: {name}" if name != "django" else name: v for name, v in found.items()}


def _first_line(command: list[str]) -> str:
    try:
        out = subprocess.run(  # noqa: S603 - fixed argument list
            command, capture_output=True, text=True, check=False, timeout=10
        )
    except OSError:
        return "not installed"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - fixed argument list
            ["git", *args],  # noqa: S607 - git from PATH
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        # Uncommitted changes to what is measured make a result harder to reproduce.
        "app_changed": bool(git("status", "--porcelain", "webapp", "templates")),
    }
