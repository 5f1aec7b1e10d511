"""Typed access to what the app and its middleware attach to a request."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import HTTPConnection

    from webapp.config import Settings
    from webapp.turns import Turn


def db_session(request: HTTPConnection) -> AsyncSession:
    """The request's unit of work, opened by `UnitOfWorkMiddleware`."""
    return cast("AsyncSession", request.state.db)


def db_turn(request: HTTPConnection) -> Turn:
    """The request's turn at the database, given by `UnitOfWorkMiddleware`."""
    return cast("Turn", request.state.db_turn)


def settings_of(request: HTTPConnection) -> Settings:
    return cast("Settings", request.app.state.settings)
