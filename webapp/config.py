"""Settings, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

Environment = Literal["development", "test", "production"]

# Only ever used when ENVIRONMENT=development; every other environment must set its own.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-deploy"  # noqa: S105
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./todo.sqlite3"
# Templates, static files and npm's node_modules live beside the package in the checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """The environment describes a configuration the app refuses to run with."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: Environment = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEVELOPMENT_SECRET_KEY
    debug: bool = False
    sql_echo: bool = False
    # Connections per app process; see docs/performance.md for how it was chosen.
    db_pool_size: int = 10
    # Connecting through PgBouncer in transaction pooling mode (see db.make_engine).
    db_pgbouncer: bool = False
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    # Set when the app is served over HTTPS: adds the Secure cookie flag and HSTS.
    https: bool = False
    session_idle_timeout: int = 7 * 24 * 3600
    session_max_age: int = 30 * 24 * 3600
    # Failed logins allowed per window, per account and per client address, before the
    # next attempt has to wait for the window to end (soft: nobody is locked out for good).
    login_failures_per_account: int = 10
    login_failures_per_address: int = 100
    login_throttle_window: int = 15 * 60
    # Sign-up attempts per client address per window (each answers whether an email is
    # taken; see docs/security.md).
    signups_per_address: int = 20
    # Where throttling counters live: Redis when set, else the database.
    redis_url: str | None = None
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed; none by
    # default, so the client address is the socket's peer.
    trusted_proxies: tuple[str, ...] = ()
    page_size: int = 50
    max_body_bytes: int = 128 * 1024

    def __post_init__(self) -> None:
        if self.environment != "development" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                f"SECRET_KEY must be set when ENVIRONMENT={self.environment}; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        if len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        if self.database_url.startswith("postgresql://"):
            # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, which we don't ship.
            raise SettingsError("DATABASE_URL must name the driver: postgresql+asyncpg://...")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every field from the variable of its name in capitals (`DB_POOL_SIZE`), else
        its default; lists are comma-separated."""
        env_file = Path(".env")
        config = Config(
            env_file=env_file if env_file.is_file() else None,
            environ=os.environ if environ is None else environ,
        )
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = field.name.upper()
            if name not in config.environ and (config.file_values.get(name) is None):
                continue
            kind = field.type
            if kind == "bool":
                values[field.name] = config(name, cast=bool)
            elif kind == "int":
                values[field.name] = config(name, cast=_whole_number(name))
            elif kind.startswith("tuple"):
                values[field.name] = tuple(config(name, cast=CommaSeparatedStrings))
            elif kind == "str | None":
                values[field.name] = config(name) or None
            else:
                values[field.name] = config(name)
        environment = values.get("environment", "development")
        if environment not in get_args(Environment):
            raise SettingsError("ENVIRONMENT must be development, test or production")
        return cls(**values)


def _whole_number(name: str) -> Callable[[str], int]:
    def cast(text: str) -> int:
        if not text.isascii() or not text.isdigit():
            raise SettingsError(f"{name} must be a whole number")
        return int(text)

    return cast
