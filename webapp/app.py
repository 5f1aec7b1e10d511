"""The application factory: the one place that wires everything together."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from webapp import errors
from webapp.config import PROJECT_ROOT, Settings
from webapp.csrf import CSRFMiddleware
from webapp.db import make_engine, make_sessionmaker
from webapp.middleware import (
    BodyLimitMiddleware,
    LoginSessionMiddleware,
    SecurityHeadersMiddleware,
    UnitOfWorkMiddleware,
    security_headers,
)
from webapp.routes import accounts, todos
from webapp.templating import make_templates

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_environ()
    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Created here, not at import: nothing connects until the server starts.
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    # Pages run inside the database and login layers; static files don't need them.
    pages = Mount(
        "",
        routes=[*todos.routes, *accounts.routes],
        middleware=[
            # Outer to inner: the unit of work wraps the session lookup and the route;
            # CSRF needs the login session to know the expected token.
            Middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes),
            Middleware(UnitOfWorkMiddleware),
            Middleware(LoginSessionMiddleware, settings=settings),
            Middleware(CSRFMiddleware, settings=settings),
        ],
    )
    static = [
        Mount(
            "/static/vendor/htmx",
            StaticFiles(directory=PROJECT_ROOT / "node_modules" / "htmx.org" / "dist"),
            name="htmx",
        ),
        Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=[*static, pages],
        middleware=[
            Middleware(SecurityHeadersMiddleware, settings=settings),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        ],
        exception_handlers={HTTPException: errors.http_exception, Exception: errors.server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_templates(settings)
    app.state.security_headers = security_headers(settings)
    return app
