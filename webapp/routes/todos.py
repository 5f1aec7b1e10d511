"""The todo list: pages, plain-form actions and their htmx fragments.

Every action answers a plain form with 303 back to the list view it came from, and an
htmx request with just the fragments that changed, rendered from the same partials the
page includes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webapp import queries
from webapp.auth import login_required, require_user
from webapp.forms import TodoInput, parse_title, parse_todo, read_form
from webapp.queries import Filter, Order
from webapp.state import db_session, settings_of
from webapp.templating import is_htmx, render

if TYPE_CHECKING:
    from starlette.requests import Request

    from webapp.models import Todo

FILTERS: tuple[Filter, ...] = get_args(Filter)
ORDERS: tuple[Order, ...] = get_args(Order)


def _view(request: Request, page_filter: Filter | None = None) -> dict[str, Any]:
    """The list view (filter and order) to show or to return to, as template context.

    A list page's filter is its path (`page_filter`); an action's is in its query.
    Unknown values mean the default. Actions carry the view in their URL's query
    (`view_query`), so every form on the page knows where to come back to.
    """
    filter_ = page_filter or request.query_params.get("filter")
    order = request.query_params.get("order")
    view: dict[str, Any] = {
        "filter": filter_ if filter_ in FILTERS else "all",
        "order": order if order in ORDERS else "oldest",
    }
    # The filter of a page is in its path already; only the order goes in its links.
    view["order_query"] = "?order=newest" if view["order"] == "newest" else ""
    non_default = {k: view[k] for k in ("filter", "order") if view[k] not in ("all", "oldest")}
    view["view_query"] = "?" + urlencode(non_default) if non_default else ""
    return view


def _list_path(request: Request, view: dict[str, Any]) -> str:
    path: str = request.app.url_path_for(f"todos_{view['filter']}")
    return path + str(view["order_query"])


def _if_shown(view: dict[str, Any], todo: Todo) -> Todo | None:
    """The todo if the view's filter shows it; a row that no longer matches leaves."""
    filter_: Filter = view["filter"]
    return todo if filter_ == "all" or (filter_ == "completed") == todo.done else None


async def _rows(request: Request, view: dict[str, Any], after: int | None = None) -> dict[str, Any]:
    """One page of rows for this view, and where the next page starts (if any)."""
    page_size = settings_of(request).page_size
    # One row more than the page tells whether a "Show more" link is needed.
    rows = await queries.list_todos(
        db_session(request),
        require_user(request),
        filter_=view["filter"],
        order=view["order"],
        after=after,
        limit=page_size + 1,
    )
    todos = rows[:page_size]
    return {"todos": todos, "more_after": todos[-1].id if len(rows) > page_size else None}


async def _counts(request: Request) -> dict[str, Any]:
    return {"counts": await queries.count_todos(db_session(request), require_user(request))}


async def _list_page(request: Request, filter_: Filter) -> Response:
    view = _view(request, filter_)
    after = _after(request.query_params.get("after"))
    context = view | await _rows(request, view, after)
    if after is not None and is_htmx(request):
        # "Show more": just the next rows, appended in place.
        return render(request, "todos/_more.html", context)
    context |= await _counts(request)
    return render(request, "todos/index.html", context)


def _after(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 19:
        raise HTTPException(400, "That page link is not valid.")
    return int(value)


@login_required
async def all_todos(request: Request) -> Response:
    return await _list_page(request, "all")


@login_required
async def active_todos(request: Request) -> Response:
    return await _list_page(request, "active")


@login_required
async def completed_todos(request: Request) -> Response:
    return await _list_page(request, "completed")


def _back(request: Request, view: dict[str, Any]) -> Response:
    # POST -> 303 -> GET: reloading the list afterwards doesn't post again.
    return RedirectResponse(_list_path(request, view), status_code=303)


async def _changed(request: Request, view: dict[str, Any], template: str, **extra: Any) -> Response:
    """After an action: the fragment for htmx, or back to the list for a plain form."""
    if not is_htmx(request):
        return _back(request, view)
    return render(request, template, view | await _counts(request) | extra)


@login_required
async def create(request: Request) -> Response:
    view = _view(request)
    values, errors = parse_todo(await read_form(request))
    if errors:
        context = view | {"errors": errors, "values": values}
        if is_htmx(request):
            return render(request, "todos/_new_form.html", context, status_code=422)
        context |= await _rows(request, view) | await _counts(request)
        return render(request, "todos/index.html", context, status_code=422)
    todo = await queries.add_todo(
        db_session(request), require_user(request), values.title, values.description
    )
    return await _changed(request, view, "todos/_created.html", todo=todo)


@login_required
async def toggle(request: Request) -> Response:
    view = _view(request)
    todo = await queries.toggle_todo(
        db_session(request), require_user(request), request.path_params["todo_id"]
    )
    return await _changed(request, view, "todos/_changed.html", todo=_if_shown(view, todo))


@login_required
async def edit_page(request: Request) -> Response:
    todo = await queries.get_todo_for(
        db_session(request), require_user(request), request.path_params["todo_id"]
    )
    context = _view(request) | {"todo": todo, "errors": {}, "values": todo}
    return render(request, "todos/edit.html", context)


@login_required
async def update(request: Request) -> Response:
    user = require_user(request)
    db = db_session(request)
    todo_id: int = request.path_params["todo_id"]
    view = _view(request)
    form = await read_form(request)
    # The inline editor sends only the title; the edit page sends the description too.
    with_description = "description" in form
    if with_description:
        values, errors = parse_todo(form)
    else:
        errors = {}
        values = TodoInput(title=parse_title(form, errors), description=None)
    if errors:
        todo = await queries.get_todo_for(db, user, todo_id)
        if not with_description:
            values = TodoInput(title=values.title, description=todo.description)
        context = view | {"todo": todo, "errors": errors, "values": values}
        template = "todos/_item.html" if is_htmx(request) else "todos/edit.html"
        return render(request, template, context, status_code=422)
    if with_description:
        todo = await queries.edit_todo(db, user, todo_id, values.title, values.description)
    else:
        todo = await queries.rename_todo(db, user, todo_id, values.title)
    return await _changed(request, view, "todos/_changed.html", todo=_if_shown(view, todo))


@login_required
async def delete(request: Request) -> Response:
    await queries.delete_todo(
        db_session(request), require_user(request), request.path_params["todo_id"]
    )
    return await _changed(request, _view(request), "todos/_changed.html", todo=None)


@login_required
async def toggle_all(request: Request) -> Response:
    view = _view(request)
    # The checkbox is sent (done=true) when ticked, and left out when unticked.
    done = (await read_form(request)).get("done") == "true"
    await queries.set_all_done(db_session(request), require_user(request), done=done)
    if not is_htmx(request):
        return _back(request, view)
    return await _changed(request, view, "todos/_app.html", **await _rows(request, view))


@login_required
async def clear_completed(request: Request) -> Response:
    view = _view(request)
    await queries.clear_completed(db_session(request), require_user(request))
    if not is_htmx(request):
        return _back(request, view)
    return await _changed(request, view, "todos/_app.html", **await _rows(request, view))


routes = [
    # One route per filter: real paths that reload and go back like any page.
    Route("/", all_todos, name="todos_all"),
    Route("/active", active_todos, name="todos_active"),
    Route("/completed", completed_todos, name="todos_completed"),
    Route("/todos", create, methods=["POST"], name="create"),
    Route("/todos/toggle-all", toggle_all, methods=["POST"], name="toggle_all"),
    Route("/todos/clear-completed", clear_completed, methods=["POST"], name="clear_completed"),
    Route("/todos/{todo_id:int}/toggle", toggle, methods=["POST"], name="toggle"),
    Route("/todos/{todo_id:int}/edit", edit_page, name="edit"),
    Route("/todos/{todo_id:int}", update, methods=["POST"], name="update"),
    Route("/todos/{todo_id:int}/delete", delete, methods=["POST"], name="delete"),
]
