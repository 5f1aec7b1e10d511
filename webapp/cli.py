"""The console entry point: `webapp serve | migrate | create-user | reset-password | clean-up`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime, timedelta

import uvicorn
from alembic import command
from alembic.config import Config as AlembicConfig
from starlette.datastructures import FormData

from webapp import auth, queries, sessions
from webapp.config import PROJECT_ROOT, Settings
from webapp.db import make_engine, make_sessionmaker
from webapp.forms import Errors, normalize_email, parse_credentials, parse_new_password


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
        # The app reads X-Forwarded-* itself, only from TRUSTED_PROXIES; uvicorn's own
        # handling would believe any loopback peer by default.
        proxy_headers=False,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
    )


async def _create_user(settings: Settings, email: str, password: str) -> int:
    form = FormData([("email", email), ("password", password)])
    values, errors = parse_credentials(form, new_account=True)
    if errors:
        return _report(errors)
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


async def _reset_password(settings: Settings, email: str, password: str) -> int:
    """Set a new password and end every session of the account (for operators)."""
    email = normalize_email(email)
    errors: Errors = {}
    password = parse_new_password(FormData([("password", password)]), "password", email, errors)
    if errors:
        return _report(errors)
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            user = await queries.get_user_by_email(db, email)
            if user is None:
                print(f"email: there is no account for {email}", file=sys.stderr)
                return 1
            await queries.set_password_hash(db, user, await auth.hash_password(password))
            await sessions.end_sessions_of(db, user.id)
    finally:
        await engine.dispose()
    print(f"Reset the password of {email} and ended its sessions")
    return 0


async def _clean_up(settings: Settings) -> int:
    """Delete timed-out login sessions, ended throttling windows and deleted todos past
    their undo window (run it daily)."""
    now = datetime.now(UTC)
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            expired = await sessions.delete_expired(db, settings)
            counters = await queries.delete_stale_throttle_counters(
                db, now - timedelta(seconds=settings.login_throttle_window)
            )
            deletions = await queries.purge_deletions(db)
    finally:
        await engine.dispose()
    print(
        f"Deleted {expired} expired sessions, {counters} ended throttling counters and "
        f"{deletions} deletions past their undo window"
    )
    return 0


def _report(errors: Errors) -> int:
    for field, message in errors.items():
        print(f"{field}: {message}", file=sys.stderr)
    return 2


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # For scripts: the first line of standard input, without its line break.
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        print("password: the two passwords differ", file=sys.stderr)
        raise SystemExit(2)
    return password


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
    reset = sub.add_parser("reset-password", help="set an account's password and end its sessions")
    reset.add_argument("email")
    for command_parser in (create, reset):
        command_parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
    sub.add_parser("clean-up", help="delete expired sessions and old throttling counters")
    args = parser.parse_args(argv)

    settings = Settings.from_environ()
    if args.command == "serve":
        serve(settings, args)
    elif args.command == "migrate":
        migrate(settings)
    elif args.command == "create-user":
        password = _read_password(args.password_stdin)
        return asyncio.run(_create_user(settings, args.email, password))
    elif args.command == "reset-password":
        password = _read_password(args.password_stdin)
        return asyncio.run(_reset_password(settings, args.email, password))
    elif args.command == "clean-up":
        return asyncio.run(_clean_up(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
