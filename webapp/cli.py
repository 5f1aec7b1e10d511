"""The console entry point: `webapp serve | migrate | create-user`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

import uvicorn
from alembic import command
from alembic.config import Config as AlembicConfig
from starlette.datastructures import FormData

from webapp import auth, queries
from webapp.config import PROJECT_ROOT, Settings
from webapp.db import make_engine, make_sessionmaker
from webapp.forms import parse_credentials


def alembic_config(settings: Settings) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    # ConfigParser interpolation: a literal % in a URL (an encoded password) is %%.
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    # alembic.ini's logging setup is for the `alembic` command; inside the app (and its
    # tests) it would replace the app's own logging configuration.
    config.attributes["configure_logger"] = False
    return config


def migrate(settings: Settings) -> None:
    command.upgrade(alembic_config(settings), "head")


def serve(settings: Settings, args: argparse.Namespace) -> None:
    migrate(settings)
    if settings.environment == "development":
        print("Development mode: set ENVIRONMENT=production and SECRET_KEY before deploying.")
    uvicorn.run(
        "webapp.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        # Proxy headers only from addresses named in FORWARDED_ALLOW_IPS (default: none
        # but loopback), so a client can't claim another address or scheme.
        proxy_headers=True,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
    )


async def _create_user(settings: Settings, email: str, password: str) -> int:
    form = FormData([("email", email), ("password", password)])
    values, errors = parse_credentials(form, new_account=True)
    if errors:
        for field, message in errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            if await queries.get_user_by_email(db, values.email) is not None:
                print(f"email: an account for {values.email} already exists", file=sys.stderr)
                return 1
            await queries.create_user(db, values.email, await auth.hash_password(values.password))
    finally:
        await engine.dispose()
    print(f"Created {values.email}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webapp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve", help="apply migrations, then serve the app")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    serve_parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    sub.add_parser("migrate", help="apply database migrations")
    create = sub.add_parser("create-user", help="create an account (asks for the password)")
    create.add_argument("email")
    args = parser.parse_args(argv)

    settings = Settings.from_environ()
    if args.command == "serve":
        serve(settings, args)
    elif args.command == "migrate":
        migrate(settings)
    elif args.command == "create-user":
        password = getpass.getpass("Password: ")
        return asyncio.run(_create_user(settings, args.email, password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
