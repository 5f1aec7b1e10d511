"""The Jinja2 environment and the helpers that turn templates into responses."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.responses import HTMLResponse
from starlette.routing import Mount, NoMatchFound, Route
from starlette.templating import Jinja2Templates

from webapp import flash
from webapp.config import PROJECT_ROOT
from webapp.dates import day_words, due_words
from webapp.static_files import HashedStaticFiles

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

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
    # A due date in words for a row: `todo.due_on|due(view.today, todo.done)`.
    env.filters["due"] = due_words
    env.filters["day"] = day_words
    return Jinja2Templates(env=env)


def set_urls(templates: Jinja2Templates, app: Starlette) -> None:
    """The templates' URL helpers, from the app's routes as they are at start-up.

    `'name'|path(**params)`: a route's path, without scheme and host (right behind any
    proxy); a filter, as Jinja2 calls filters directly and every global function through
    its context (a row has four links). `static_url(path, mount='static')`: a static
    file's URL under its content-hashed name, cached for a year; `path` is relative to
    the mount's folder (`static_url('htmx.min.js', mount='htmx')`), and a file the build
    lacks is an error.
    """
    paths = {name: RoutePath(prefix, route) for name, (prefix, route) in routes_by_name(app)}

    def path(name: str, /, **params: Any) -> str:
        return paths[name].with_params(params)

    @cache
    def static_url(file: str, /, mount: str = "static") -> str:
        files = paths[mount].route
        if isinstance(files, Mount) and isinstance(files.app, HashedStaticFiles):
            file = files.app.hashed_name(file)
        return path(mount, path=file)

    templates.env.filters["path"] = path
    templates.env.globals["static_url"] = static_url


class RoutePath:
    """A route's path with its parameters filled in.

    Starlette's `url_path_for` tries each route in turn, raising and catching an
    exception for every one that doesn't match; with seven links a row, that was two
    fifths of the list page's CPU. This fills the route's own path format, as
    `url_path_for` would, in a microsecond.
    """

    __slots__ = ("convertors", "format", "route")

    def __init__(self, prefix: str, route: Route | Mount) -> None:
        self.route = route
        self.format = prefix + route.path_format
        self.convertors = route.param_convertors

    def with_params(self, params: dict[str, Any]) -> str:
        if params.keys() != self.convertors.keys():
            raise NoMatchFound(self.route.name or "", params)
        if not params:
            return self.format
        return self.format.format_map(
            {key: self.convertors[key].to_string(value) for key, value in params.items()}
        )


def routes_by_name(app: Starlette) -> Iterator[tuple[str, tuple[str, Route | Mount]]]:
    """Every named route with the path of the unnamed mounts it sits in (the first of a
    name wins, as in Starlette's look-up)."""
    seen: set[str] = set()

    def walk(
        routes: Sequence[BaseRoute], prefix: str
    ) -> Iterator[tuple[str, tuple[str, Route | Mount]]]:
        for route in routes:
            if isinstance(route, Mount) and not route.name:
                yield from walk(route.routes, prefix + route.path)
            elif isinstance(route, Route | Mount) and route.name and route.name not in seen:
                seen.add(route.name)
                yield route.name, (prefix, route)

    return walk(app.routes, "")


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
    # Straight to an HTMLResponse: Starlette's TemplateResponse adds nothing these
    # templates use (a `request` in the context, context processors).
    html = templates.get_template(name).render(full_context)
    # Full page and fragment are representations of one URL (Vary); pages hold one
    # user's data and change in place: never reuse a stored copy (the Back button would
    # show a list as it was before the htmx changes).
    response = HTMLResponse(
        html,
        status_code=status_code,
        headers={"Vary": VARY, "Cache-Control": "no-store", **(headers or {})},
    )
    if page:
        flash.shown(request, response)
    return response
