"""The application factory: the one place that wires everything together."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect
from starlette.routing import Mount
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from webapp import errors
from webapp.config import PROJECT_ROOT, Settings
from webapp.csrf import CSRFMiddleware
from webapp.db import POOL_TIMEOUT, DatabaseUnreachable, make_engine, make_sessionmaker
from webapp.inputs import BadInput
from webapp.middleware.body_limit import BodyLimitMiddleware
from webapp.middleware.security_headers import SecurityHeadersMiddleware, security_headers
from webapp.middleware.unit_of_work import UnitOfWorkMiddleware
from webapp.queries import NotFound
from webapp.routes import account, accounts, todos
from webapp.sessions import LoginSessionMiddleware
from webapp.static_files import HashedStaticFiles
from webapp.templating import make_templates, set_urls
from webapp.throttle import make_throttle
from webapp.turns import Turns

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_environ()
    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Created here, not at import: nothing connects until the server starts.
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.reading_sessionmaker = make_sessionmaker(engine, reading=True)
        app.state.db_turns = Turns(settings.db_pool_size, timeout=POOL_TIMEOUT)
        app.state.throttle = make_throttle(settings, app.state.sessionmaker)
        # What exists now (modules, mappers, templates) lives as long as the process:
        # keep the garbage collector from walking it again in every full collection,
        # which otherwise pauses all requests in flight every few dozen requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            # Runs after the server has finished the requests in flight (graceful shutdown).
            await app.state.throttle.aclose()
            await engine.dispose()
            logger.info("database connections closed")

    # Pages run inside the database and login layers; static files don't need them.
    pages = Mount(
        "",
        routes=[*todos.routes, *accounts.routes, *account.routes],
        middleware=[
            # Outer to inner: the unit of work wraps the session lookup and the route;
            # CSRF needs the login session to know the expected token.
            Middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes),
            Middleware(UnitOfWorkMiddleware),
            Middleware(LoginSessionMiddleware, settings=settings),
            Middleware(CSRFMiddleware, settings=settings),
        ],
    )
    # Hashed names cached for a year, gzip and brotli, plain names too (short cache).
    # From the npm packages (htmx, SortableJS), only the files the pages load.
    static = [
        Mount(
            "/static/vendor/htmx",
            HashedStaticFiles(PROJECT_ROOT / "node_modules" / "htmx.org" / "dist", ["htmx.min.js"]),
            name="htmx",
        ),
        Mount(
            "/static/vendor/sortablejs",
            HashedStaticFiles(PROJECT_ROOT / "node_modules" / "sortablejs", ["Sortable.min.js"]),
            name="sortable",
        ),
        Mount("/static", HashedStaticFiles(PROJECT_ROOT / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, settings=settings),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
    ]
    if settings.trusted_proxies:
        # The client address and scheme from X-Forwarded-For/-Proto, believed only when
        # the request comes from one of these proxies; otherwise the socket's peer.
        middleware.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
        )
    app = Starlette(
        # Never Starlette's debug page: it shows tracebacks (and SQL) to the client.
        # DEBUG raises the log level instead; tracebacks go to the log.
        debug=False,
        routes=[*static, pages],
        middleware=middleware,
        exception_handlers={
            HTTPException: errors.http_exception,
            NotFound: errors.not_found,
            BadInput: errors.bad_input,
            ClientDisconnect: errors.client_gone,
            SQLAlchemyError: errors.database_error,
            DatabaseUnreachable: errors.database_error,
            RedisError: errors.database_error,
            Exception: errors.server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_templates(settings)
    set_urls(app.state.templates, app)
    app.state.security_headers = security_headers(settings)
    return app
