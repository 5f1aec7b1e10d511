"""Settings, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast, get_args

from starlette.config import Config
from starlette.datastructures import CommaSeparatedStrings

if TYPE_CHECKING:
    from collections.abc import Mapping

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
        env_file = Path(".env")
        config = Config(
            env_file=env_file if env_file.is_file() else None,
            environ=os.environ if environ is None else environ,
        )
        environment = config("ENVIRONMENT", default="development")
        if environment not in get_args(Environment):
            raise SettingsError("ENVIRONMENT must be development, test or production")
        defaults = cls()
        return cls(
            environment=cast("Environment", environment),
            database_url=config("DATABASE_URL", default=DEFAULT_DATABASE_URL),
            secret_key=config("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY),
            debug=config("DEBUG", cast=bool, default=False),
            sql_echo=config("SQL_ECHO", cast=bool, default=False),
            db_pool_size=config("DB_POOL_SIZE", cast=int, default=defaults.db_pool_size),
            db_pgbouncer=config("DB_PGBOUNCER", cast=bool, default=False),
            allowed_hosts=tuple(
                config(
                    "ALLOWED_HOSTS",
                    cast=CommaSeparatedStrings,
                    default=",".join(defaults.allowed_hosts),
                )
            ),
            https=config("HTTPS", cast=bool, default=False),
            session_idle_timeout=config(
                "SESSION_IDLE_TIMEOUT", cast=int, default=defaults.session_idle_timeout
            ),
            session_max_age=config("SESSION_MAX_AGE", cast=int, default=defaults.session_max_age),
            login_failures_per_account=config(
                "LOGIN_FAILURES_PER_ACCOUNT", cast=int, default=defaults.login_failures_per_account
            ),
            login_failures_per_address=config(
                "LOGIN_FAILURES_PER_ADDRESS", cast=int, default=defaults.login_failures_per_address
            ),
            login_throttle_window=config(
                "LOGIN_THROTTLE_WINDOW", cast=int, default=defaults.login_throttle_window
            ),
            redis_url=config("REDIS_URL", default=None) or None,
            trusted_proxies=tuple(
                config("TRUSTED_PROXIES", cast=CommaSeparatedStrings, default="")
            ),
        )
