"""The Jinja2 environment and the helpers that turn templates into responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from starlette.routing import Mount, Route
from starlette.templating import Jinja2Templates

from webapp import flash
from webapp.config import PROJECT_ROOT
from webapp.static_files import HashedStaticFiles

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from starlette.applications import Starlette
    from starlette.requests import HTTPConnection, Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from webapp.config import Settings

# Full page and fragment are different representations of one URL: caches must key on it.
VARY = "HX-Request, HX-Request-Type"


def make_templates(settings: Settings) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
        # Every template is escaped, whatever its file name.
        autoescape=True,
        auto_reload=settings.debug,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = _static_url
    return Jinja2Templates(env=env)


def set_path_for(templates: Jinja2Templates, app: Starlette) -> None:
    """`path_for(name, **params)` in templates and macros: a route's path, without scheme
    and host (right behind any proxy), from a dictionary built once."""
    routes = routes_by_name(app)

    def path_for(name: str, /, **path_params: Any) -> str:
        prefix, route = routes[name]
        return prefix + str(route.url_path_for(name, **path_params))

    templates.env.globals["path_for"] = path_for


@jinja2.pass_context
def _static_url(context: Mapping[str, Any], path: str, /, mount: str = "static") -> str:
    """A static file's URL under its content-hashed name, which is cached for a year.

    `path` is relative to the mount's folder: `static_url('app.css')`,
    `static_url('htmx.min.js', mount='htmx')`. A file the build doesn't have is an error.
    """
    request: Request = context["request"]
    # The static mounts are among the app's first routes.
    for route in request.app.routes:
        if isinstance(route, Mount | Route) and route.name == mount:
            if isinstance(route, Mount) and isinstance(route.app, HashedStaticFiles):
                path = route.app.hashed_name(path)
            return str(route.url_path_for(mount, path=path))
    raise LookupError(f"no static files mount named {mount!r}")


def routes_by_name(app: Starlette) -> dict[str, tuple[str, BaseRoute]]:
    """Every named route with the path of the mounts it sits in.

    Starlette's `url_path_for` tries each route in turn and raises and catches an
    exception for every one that doesn't match: with seven links per row, that was
    two fifths of the list page's CPU. A dictionary lookup gives the same paths.
    """
    found: dict[str, tuple[str, BaseRoute]] = {}

    def walk(routes: Sequence[BaseRoute], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount) and not route.name:
                walk(route.routes, prefix + route.path)
            elif isinstance(route, Route | Mount) and route.name:
                found.setdefault(route.name, (prefix, route))

    walk(app.routes, "")
    return found


def is_htmx(request: HTTPConnection) -> bool:
    """True when htmx asks for a fragment (boosted and history requests want the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Request-Type") != "full"
    )


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    state = request.scope.get("state", {})
    page = not is_htmx(request)
    full_context: dict[str, Any] = {
        "user": state.get("user"),
        "csrf_token": state.get("csrf_token", ""),
        # A page shows the message a plain form's action left for it.
        "message": flash.waiting(request) if page else None,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, name, full_context, status_code=status_code, headers=headers
    )
    if page:
        flash.shown(request, response)
    response.headers["Vary"] = VARY
    # Pages hold one user's data and change in place: never reuse a stored copy (the
    # Back button would show a list as it was before the htmx changes).
    response.headers["Cache-Control"] = "no-store"
    return response
