"""Bringing up everything a run needs: database, schema, data, PgBouncer, the apps."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench import environment, postgres, runner, seed
from bench.runner import Credentials, Server
from webapp.config import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from bench.postgres import Endpoint
    from bench.runner import Options
    from bench.seed import SeededUser


@dataclass
class Stage:
    servers: dict[str, Server]
    users: dict[str, SeededUser]
    # Direct connections: the admin's for pg_stat_statements, the app role's for
    # seeding and undoing writes (never through PgBouncer).
    admin_url: str
    db_url: str
    bouncer: Endpoint | None
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def ours(self) -> Server:
        return self.servers["ours"]

    @property
    def baseline(self) -> Server:
        return self.servers["baseline"]


@contextlib.contextmanager
def stage(
    options: Options, log_dir: Path, apps: tuple[str, ...] = ("ours", "baseline")
) -> Iterator[Stage]:
    db_log = log_dir / "database.log"
    with contextlib.ExitStack() as stack:
        django_python = None
        if "django" in apps:
            # First, so that a failing build costs no database set-up.
            from bench.django_app import launch

            print("Django's virtual environment ...", flush=True)
            django_python = launch.ensure_venv(log_dir / "django-venv.log")
        pg = stack.enter_context(postgres.cluster(options.load_cpu, db_log))
        admin_url = pg.url(role=postgres.ADMIN_ROLE, database="postgres")
        db_url = pg.url()
        asyncio.run(seed.prepare_cluster(admin_url, postgres.ROLE, postgres.DATABASE))
        env = os.environ | {
            "DATABASE_URL": pg.url(driver="asyncpg"),
            "SECRET_KEY": runner.SECRET_KEY,
            "ENVIRONMENT": "production",
            "DB_POOL_SIZE": str(options.pool_size),
        }
        env.pop("DEBUG", None)
        env.pop("SQL_ECHO", None)
        # The schema comes from our migrations, exactly as `webapp serve` would apply them.
        with (log_dir / "setup.log").open("ab") as out:
            subprocess.run(  # noqa: S603 - our own command line
                [runner.python(), "-m", "webapp.cli", "migrate"],
                cwd=runner.PROJECT_ROOT,
                env=env,
                check=True,
                stdout=out,
                stderr=out,
            )
        print("seeding ...", flush=True)
        users = asyncio.run(seed.seed(db_url))
        sessions = runner.session_credentials(users)
        versions = environment.versions(asyncio.run(seed.server_version(admin_url)))
        app_env = dict(env)
        app_env["BENCH_ROUTES"] = json.dumps(our_route_table(env["DATABASE_URL"]))
        bouncer = None
        if options.pgbouncer:
            bouncer = stack.enter_context(
                postgres.pgbouncer(pg, options.load_cpu, options.pool_size, db_log)
            )
            versions["pgbouncer"] = postgres.pgbouncer_version()
            app_env["DATABASE_URL"] = bouncer.url(driver="asyncpg")
            # Our app's own setting for PgBouncer's transaction pooling (webapp/db.py);
            # the baselines' equivalent is in bench/baseline.py.
            app_env["DB_PGBOUNCER"] = "true"
            app_env["BENCH_PGBOUNCER"] = "1"
        host = "127.0.0.1"
        commands = {
            "ours": [runner.python(), "-m", "webapp.cli", "serve", "--no-access-log"],
            "baseline": [runner.python(), "-m", "bench.baseline"],
            "lean": [runner.python(), "-m", "bench.lean"],
        }
        servers: dict[str, Server] = {}
        for name in runner.APPS:
            if name not in apps:
                continue
            port = postgres.free_port()
            if name == "django":
                assert django_python is not None
                # Django's own tables and logged-in sessions go in directly, not
                # through PgBouncer.
                prepared = launch.prepare(
                    env["DATABASE_URL"],
                    {n: u.user_id for n, u in users.items()},
                    log_dir / "django-prepare.log",
                    secret_key=runner.SECRET_KEY,
                    python=django_python,
                )
                credentials = {n: Credentials(c.cookie, c.csrf_header) for n, c in prepared.items()}
                command = launch.command(django_python, host, port)
                server_env = _django_env(app_env)
                versions |= environment.django_versions(django_python)
            else:
                credentials = sessions
                command = [*commands[name], "--host", host, "--port", str(port)]
                server_env = app_env
            servers[name] = Server(
                name,
                postgres.pinned(options.app_cpu, command),
                server_env,
                log_dir,
                port,
                credentials,
            )
        stack.enter_context(started(list(servers.values())))
        yield Stage(servers, users, admin_url, db_url, bouncer, versions)


def _django_env(app_env: dict[str, str]) -> dict[str, str]:
    """Django's environment: the database (asyncpg-style URL) and the key; nothing of our
    virtual environment's."""
    env = {k: v for k, v in app_env.items() if k not in ("VIRTUAL_ENV", "BENCH_ROUTES")}
    return env


def our_route_table(database_url: str) -> list[dict[str, object]]:
    """Our app's routes for the baseline to mirror (creating the app connects nothing)."""
    from bench.baseline import describe_routes
    from webapp.app import create_app

    settings = Settings(
        environment="production", database_url=database_url, secret_key=runner.SECRET_KEY
    )
    return describe_routes(create_app(settings).routes)


@contextlib.contextmanager
def started(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
