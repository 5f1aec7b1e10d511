"""Bringing up everything a run needs: database, schema, data, PgBouncer, both apps."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench import environment, postgres, runner, seed
from bench.runner import Server
from webapp.config import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from bench.postgres import Endpoint
    from bench.runner import Options
    from bench.seed import SeededUser


@dataclass
class Stage:
    ours: Server
    baseline: Server
    users: dict[str, SeededUser]
    # Direct connections: the admin's for pg_stat_statements, the app role's for
    # seeding and undoing writes (never through PgBouncer).
    admin_url: str
    db_url: str
    bouncer: Endpoint | None
    versions: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def stage(
    options: Options, log_dir: Path, apps: tuple[str, ...] = ("ours", "baseline")
) -> Iterator[Stage]:
    db_log = log_dir / "database.log"
    with contextlib.ExitStack() as stack:
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
        versions = environment.versions(asyncio.run(seed.server_version(admin_url)))
        app_env = dict(env)
        app_env["BENCH_ROUTES"] = json.dumps(our_route_table(env["DATABASE_URL"]))
        ours_command = [runner.python(), "-m", "webapp.cli", "serve"]
        bouncer = None
        if options.pgbouncer:
            bouncer = stack.enter_context(
                postgres.pgbouncer(pg, options.load_cpu, options.pool_size, db_log)
            )
            versions["pgbouncer"] = postgres.pgbouncer_version()
            app_env["DATABASE_URL"] = bouncer.url(driver="asyncpg")
            # Our app's own setting for PgBouncer's transaction pooling (webapp/db.py);
            # the baseline's equivalent is in bench/baseline.py.
            app_env["DB_PGBOUNCER"] = "true"
            app_env["BENCH_PGBOUNCER"] = "1"
        host = ("--host", "127.0.0.1")
        ours = Server(
            "ours",
            postgres.pinned(
                options.app_cpu,
                [*ours_command, *host, "--port", str(postgres.free_port()), "--no-access-log"],
            ),
            app_env,
            log_dir,
        )
        baseline = Server(
            "baseline",
            postgres.pinned(
                options.app_cpu,
                [
                    runner.python(),
                    "-m",
                    "bench.baseline",
                    *host,
                    "--port",
                    str(postgres.free_port()),
                ],
            ),
            app_env,
            log_dir,
        )
        chosen = [s for s in (ours, baseline) if s.name in apps]
        stack.enter_context(started(chosen))
        yield Stage(ours, baseline, users, admin_url, db_url, bouncer, versions)


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
