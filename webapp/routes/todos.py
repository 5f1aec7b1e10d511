"""The todo list: pages, plain-form actions and their htmx fragments.

Every action answers a plain form with 303 back to the list view it came from, at the
row it acted on (`#todo-N`), and an htmx request with just the fragments that changed,
rendered from the same macros the page uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, get_args
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from webapp import flash, queries
from webapp.dates import day_words, upcoming_until
from webapp.forms import (
    EditInput,
    is_label_name,
    parse_edit,
    parse_list_name,
    parse_search,
    parse_title,
    parse_todo,
)
from webapp.inputs import BadInput, parse_id, read_form
from webapp.queries import Filter, NotFound, Order
from webapp.sessions import login_required, require_user
from webapp.state import db_session, settings_of
from webapp.templating import is_htmx, render

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from starlette.datastructures import FormData
    from starlette.requests import Request

    from webapp.models import Todo
    from webapp.queries import Counts, Lists, TodoRow

# A list's page, or a page of todos across lists: Today's and Upcoming's (undone, by
# due date), a label's, or a search's.
Kind = Literal["list", "today", "upcoming", "label", "search"]
KINDS: tuple[Kind, ...] = get_args(Kind)
FILTERS: tuple[Filter, ...] = get_args(Filter)
ORDERS: tuple[Order, ...] = get_args(Order)
STEPS: dict[object, Literal["up", "down"]] = {"up": "up", "down": "down"}
# The most rows a page across lists shows: the first hundred (the earliest due; a label's
# or a search's still to do first, newest first), and a word that there are more.
MAX_ACROSS_ROWS = 100
# The most rows an htmx action re-renders when the page had loaded more with "Show more".
MAX_SHOWN_PAGES = 20


@dataclass(frozen=True, slots=True)
class ListView:
    """Which page a page is, or an action came from and returns to."""

    # The list shown; None is the Inbox (`/`).
    list_id: int | None = None
    filter: Filter = "all"
    order: Order = "oldest"
    # The page starts after this todo (a "Show more" page without JavaScript).
    after: int | None = None
    kind: Kind = "list"
    # The label's name, or what was searched for.
    term: str = ""
    # The person's date: what Today and Upcoming hold, and due dates in words.
    today: date | None = None
    # The query an action's URL carries so that it knows where to come back to: every
    # row's every form has it, so it is made once.
    query: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", self._query(with_filter=True))

    @classmethod
    def of(
        cls,
        request: Request,
        page_filter: Filter | None = None,
        *,
        page_kind: Kind | None = None,
        term: str = "",
    ) -> ListView:
        """A page's view (its list, filter or kind are its path), or an action's (in its
        query).

        Unknown values mean the default: a view is a preference, not an instruction.
        """
        params = request.query_params
        page = page_filter is not None or page_kind is not None
        list_id = request.path_params.get("list_id") if page else parse_id(params.get("list"))
        kind = page_kind or _kind(params.get("view"))
        filter_ = page_filter or params.get("filter")
        order = params.get("order")
        if not page and kind in {"label", "search"}:
            term = params.get("term", "")
        return cls(
            list_id=list_id,
            filter=filter_ if filter_ in FILTERS else "all",
            order=order if order in ORDERS else "oldest",
            after=parse_id(params.get("after")),
            kind=kind,
            term=term,
            today=require_user(request).today,
        )

    def page_route(self, filter_: Filter | None = None) -> tuple[str, dict[str, object]]:
        """The name and parameters of the route of this view's page (or of its list with
        another filter)."""
        if self.kind == "label":
            return "label", {"name": self.term}
        if self.kind != "list":
            return self.kind, {}
        filter_ = filter_ or self.filter
        if self.list_id is None:
            return f"todos_{filter_}", {}
        return f"list_{filter_}", {"list_id": self.list_id}

    @property
    def page_query(self) -> str:
        """The query of this view's page (its filter is in the path)."""
        return self._query(with_filter=False)

    @property
    def order_query(self) -> str:
        """The query of this view's filter links: the order, but from the first page."""
        return self._query(with_filter=False, with_after=False)

    def _query(self, *, with_filter: bool, with_after: bool = True) -> str:
        pairs: list[tuple[str, object]] = []
        if with_filter and self.kind != "list":
            pairs.append(("view", self.kind))
            if self.kind == "label":
                pairs.append(("term", self.term))
        if self.kind == "search":
            # A search's page has it in its query too.
            pairs.append(("term" if with_filter else "q", self.term))
        if with_filter and self.list_id is not None:
            pairs.append(("list", self.list_id))
        if with_filter and self.filter != "all":
            pairs.append(("filter", self.filter))
        if self.order != "oldest":
            pairs.append(("order", self.order))
        if with_after and self.after is not None:
            pairs.append(("after", self.after))
        return "?" + urlencode(pairs) if pairs else ""

    def shows(self, todo: TodoRow) -> bool:
        """Whether a todo belongs in this view (a toggled row may have to leave it)."""
        if self.kind == "list":
            return self.filter == "all" or (self.filter == "completed") == todo.done
        if self.kind == "label":
            return self.term in todo.label_names
        if self.kind == "search":
            # Still what was searched for, unless renamed away: shown until the next search.
            return True
        assert self.today is not None  # set for every view a page shows
        if todo.done or todo.due_on is None:
            return False
        if self.kind == "today":
            return todo.due_on <= self.today
        return self.today < todo.due_on <= upcoming_until(self.today)


def _kind(name: str | None) -> Kind:
    for kind in KINDS:
        if name == kind:
            return kind
    return "list"


def _page_url(request: Request, view: ListView, anchor: int | None = None) -> str:
    name, params = view.page_route()
    url: str = request.app.url_path_for(name, **params) + view.page_query
    return url + (f"#todo-{anchor}" if anchor is not None else "")


def _back(request: Request, view: ListView, anchor: int | None = None) -> Response:
    """A plain form's answer: POST -> 303 -> GET, back at the row (reloading won't post)."""
    return RedirectResponse(_page_url(request, view, anchor), status_code=303)


@dataclass(frozen=True, slots=True)
class Rows:
    todos: Sequence[TodoRow]
    # Where the next page starts, when there is one ("Show more").
    more_after: int | None


async def _rows(request: Request, view: ListView, *, shown: int = 0) -> tuple[Rows, Counts]:
    """A page of rows for this view, or as many as the page was showing (`shown`), and
    the counts of every todo."""
    page_size = settings_of(request).page_size
    limit = min(max(page_size, shown), MAX_SHOWN_PAGES * page_size)
    # One row more than the page tells whether a "Show more" link is needed.
    rows, counts = await queries.list_todos(
        db_session(request),
        require_user(request),
        view.list_id,
        filter_=view.filter,
        order=view.order,
        after=view.after,
        limit=limit + 1,
    )
    todos = rows[:limit]
    return Rows(todos=todos, more_after=todos[-1].id if len(rows) > limit else None), counts


async def _counts(request: Request, view: ListView) -> Counts:
    return await queries.count_todos(db_session(request), require_user(request), view.list_id)


async def _lists(request: Request, view: ListView) -> Lists:
    """Every list, with its counts, for the navigation."""
    assert view.today is not None
    return await queries.lists_of(db_session(request), require_user(request), view.today)


def _page_start(request: Request) -> int | None:
    """Where the page an htmx request came from starts (`?after=` in its address)."""
    try:
        query = urlsplit(request.headers.get("HX-Current-URL", "")).query
    except ValueError:  # not a URL at all; htmx always sends one
        return None
    return parse_id(parse_qs(query).get("after", [None])[-1])


async def _more_to_load(request: Request) -> bool:
    """Whether the page has rows still to load ("Show more"), as htmx reports it (app.js)."""
    return (await read_form(request)).get("more") == "1"


async def _shown(request: Request) -> int:
    """How many rows the page showed, as htmx reports it (app.js); 0 when not said."""
    shown = (await read_form(request)).get("shown")
    return (parse_id(shown) or 0) if isinstance(shown, str) else 0


async def _list_page(request: Request, filter_: Filter) -> Response:
    view = ListView.of(request, filter_)
    if "after" in request.query_params and view.after is None:
        raise BadInput("That page link is not valid.")
    if view.after is not None and is_htmx(request):
        # "Show more": just the next rows, appended in place. Their forms belong to the
        # page they join (its own first row), not to where this batch starts.
        rows, _ = await _rows(request, view)
        page_view = replace(view, after=_page_start(request))
        return render(request, "todos/_more.html", {"view": page_view, "rows": rows})
    return await _page(request, view)


async def _page(
    request: Request, view: ListView, status_code: int = 200, **context: object
) -> Response:
    """A list's page: the navigation, the list's heading, its rows and counter."""
    if view.kind != "list":
        return await _across_page(request, view, status_code, **context)
    lists = await _lists(request, view)
    current = lists.find(view.list_id)
    if current is None:
        raise NotFound(queries.NO_LIST)
    if view.list_id is not None and current.is_inbox:
        # The Inbox has one address, `/`.
        return _back(request, replace(view, list_id=None))
    rows, counts = await _rows(request, view)
    context |= {"view": view, "rows": rows, "counts": counts, "lists": lists, "current": current}
    return render(request, "todos/index.html", context, status_code=status_code)


@login_required
async def all_todos(request: Request) -> Response:
    return await _list_page(request, "all")


@login_required
async def active_todos(request: Request) -> Response:
    return await _list_page(request, "active")


@login_required
async def completed_todos(request: Request) -> Response:
    return await _list_page(request, "completed")


# A list's pages are the Inbox's pages; the list is in the path.
list_all, list_active, list_completed = all_todos, active_todos, completed_todos


@dataclass(frozen=True, slots=True)
class Group:
    """Rows of a page across lists under a heading: a day's on Upcoming, the overdue and
    today's on Today; a label's or a search's page has one group, without a heading."""

    key: str
    heading: str | None
    todos: list[TodoRow]
    # The element id of its list: `todo-list` for the one new todos go to.
    list_id: str = "todo-list"


async def _across_rows(request: Request, view: ListView, limit: int) -> list[TodoRow]:
    today = view.today
    assert today is not None
    db, user = db_session(request), require_user(request)
    if view.kind == "label":
        return await queries.labelled_todos(db, user, view.term, limit=limit)
    if view.kind == "search":
        return await queries.search_todos(db, user, view.term, limit=limit)
    if view.kind == "today":
        return await queries.due_todos(db, user, through=today, limit=limit)
    until = upcoming_until(today)
    return await queries.due_todos(db, user, through=until, after=today, limit=limit)


async def _groups(request: Request, view: ListView) -> tuple[list[Group], bool]:
    """The page's rows in their groups, and whether there were more than it shows."""
    today = view.today
    assert today is not None
    rows = await _across_rows(request, view, MAX_ACROSS_ROWS + 1)
    more = len(rows) > MAX_ACROSS_ROWS
    rows = rows[:MAX_ACROSS_ROWS]
    if view.kind in {"label", "search"}:
        return [Group(view.kind, None, rows)], more
    if view.kind == "today":
        overdue = [todo for todo in rows if todo.due_on is not None and todo.due_on < today]
        groups = [Group("overdue", "Overdue", overdue, "overdue-list")] if overdue else []
        due_today = [todo for todo in rows if todo.due_on == today]
        return [*groups, Group("today", "Today", due_today)], more
    by_day: dict[date, list[TodoRow]] = {}
    for todo in rows:
        assert todo.due_on is not None  # only todos with a due date are due
        by_day.setdefault(todo.due_on, []).append(todo)
    groups = [
        Group(day.isoformat(), day_words(day, today), todos, f"day-{day.isoformat()}-list")
        for day, todos in by_day.items()
    ]
    return groups, more


async def _across_page(
    request: Request, view: ListView, status_code: int = 200, **context: object
) -> Response:
    """A page of todos from every list: Today's, Upcoming's, a label's, a search's."""
    lists = await _lists(request, view)
    groups: list[Group] = []
    more = False
    if view.kind != "search" or view.term:
        groups, more = await _groups(request, view)
    context |= {"view": view, "groups": groups, "more": more, "lists": lists}
    return render(request, "todos/across.html", context, status_code=status_code)


@login_required
async def today(request: Request) -> Response:
    return await _across_page(request, ListView.of(request, page_kind="today"))


@login_required
async def upcoming(request: Request) -> Response:
    return await _across_page(request, ListView.of(request, page_kind="upcoming"))


@login_required
async def label(request: Request) -> Response:
    name = request.path_params["name"]
    if not is_label_name(name):
        raise NotFound("There is no such label.")
    return await _across_page(request, ListView.of(request, page_kind="label", term=name))


@login_required
async def search(request: Request) -> Response:
    errors: dict[str, str] = {}
    term = parse_search(request.query_params, errors)
    view = ListView.of(request, page_kind="search", term=term)
    if errors:
        return await _across_page(request, view, 400, search_errors=errors)
    return await _across_page(request, view)


@login_required
async def create(request: Request) -> Response:
    view = ListView.of(request)
    values, errors = parse_todo(await read_form(request))
    if errors:
        if is_htmx(request):
            context = {"view": view, "errors": errors, "values": values}
            return render(request, "todos/_new_form.html", context, status_code=422)
        return await _page(request, view, 422, errors=errors, values=values)
    # Added on Today, a todo is due today (in the Inbox).
    due_on = view.today if view.kind == "today" else None
    todo = await queries.add_todo(
        db_session(request),
        require_user(request),
        view.list_id,
        values.title,
        values.description,
        due_on,
    )
    if not is_htmx(request):
        # Back at the new row, where the page shows it (not on a later page, nor among
        # the completed ones).
        shown_there = view.filter != "completed" and view.after is None
        return _back(request, view, todo.id if shown_there else None)
    counts = await _counts(request, view)
    nav = await _lists(request, view) if due_on else None
    message = None
    if view.filter == "completed":
        message = flash.Message(f"Added “{todo.title}” to the active todos.")
    elif view.order != "newest" and (view.after is not None or await _more_to_load(request)):
        # But newest first, a new todo goes at the very end: if the page hasn't loaded
        # the rows before it ("Show more"), appending it would show it out of place, and
        # twice once they are loaded.
        message = flash.Message(f"Added “{todo.title}” at the end of the list.")
    context = {
        "view": view,
        "counts": counts,
        "todo": None if message else _with_list_name(todo, view, nav),
        "message": message,
        "nav": nav,
    }
    return render(request, "todos/_created.html", context)


def _with_list_name(todo: TodoRow, view: ListView, nav: Lists | None) -> TodoRow:
    """A row for a page across lists says which list it is in (the navigation knows)."""
    if view.kind == "list" or nav is None:
        return todo
    list_ = nav.find(todo.list_id)
    return todo._replace(list_name=list_.name) if list_ else todo


async def _one_changed(
    request: Request, view: ListView, todo: TodoRow, counts: Counts, *, gone: bool = False
) -> Response:
    """After a change to one todo: its row (if the view still shows it) and the summary.
    `gone`: it left the view's list."""
    if not is_htmx(request):
        if view.shows(todo) and not gone:
            return _back(request, view, todo.id)
        if view.kind != "list":
            return _back(request, view)
        neighbour = await queries.neighbour(
            db_session(request),
            require_user(request),
            view.list_id,
            todo.id,
            view.filter,
            view.order,
        )
        return _back(request, view, neighbour)
    # Today's and Upcoming's counts change with a todo that is due (or was, on their page).
    due = todo.due_on is not None or view.kind != "list"
    nav = await _lists(request, view) if due else None
    context = {
        "view": view,
        "todo": _with_list_name(todo, view, nav) if view.shows(todo) else None,
        "counts": counts,
        "nav": nav,
    }
    return render(request, "todos/_changed.html", context)


@login_required
async def toggle(request: Request) -> Response:
    todo, counts = await queries.toggle_todo(
        db_session(request), require_user(request), request.path_params["todo_id"]
    )
    return await _one_changed(request, ListView.of(request), todo, counts)


async def _view_showing(request: Request, view: ListView, todo_id: int) -> ListView:
    """The view to return to from the edit page: one whose page shows the todo.

    A row that "Show more" had loaded is past the first page; coming back to the first
    page would lose it. Then the page starts at the row itself.
    """
    if view.after is not None or view.kind != "list":
        return view
    before = await queries.rows_before(
        db_session(request), require_user(request), view.list_id, todo_id, view.filter, view.order
    )
    if before < settings_of(request).page_size:
        return view
    # Keyset paging: the page "after" the todo before this one starts at this one.
    previous = await queries.row_before(
        db_session(request), require_user(request), view.list_id, todo_id, view.filter, view.order
    )
    return replace(view, after=previous)


@login_required
async def edit_page(request: Request) -> Response:
    todo = await queries.get_todo_for(
        db_session(request), require_user(request), request.path_params["todo_id"]
    )
    view = await _view_showing(request, ListView.of(request), todo.id)
    return await _edit_page(request, view, todo, {}, EditInput.of(todo))


async def _edit_page(
    request: Request,
    view: ListView,
    todo: Todo,
    errors: dict[str, str],
    values: EditInput,
    status_code: int = 200,
) -> Response:
    context = {
        "view": view,
        "todo": todo,
        "errors": errors,
        "values": values,
        "lists": await _lists(request, view),
    }
    return render(request, "todos/edit.html", context, status_code=status_code)


@login_required
async def update(request: Request) -> Response:
    form = await read_form(request)
    # The inline editor sends only the title; the edit page sends every field.
    if "description" in form:
        return await _update_from_edit_page(request, form)
    user = require_user(request)
    db = db_session(request)
    todo_id: int = request.path_params["todo_id"]
    view = ListView.of(request)
    errors: dict[str, str] = {}
    title = parse_title(form, errors)
    if errors:
        current = await queries.get_todo_for(db, user, todo_id)
        if is_htmx(request):
            context = {"view": view, "todo": current, "error": errors["title"], "value": title}
            return render(request, "todos/_row.html", context, status_code=422)
        values = replace(EditInput.of(current), title=title)
        return await _edit_page(request, view, current, errors, values, 422)
    todo, counts = await queries.rename_todo(db, user, todo_id, title)
    if is_htmx(request):
        return await _one_changed(request, view, todo, counts)
    return await _saved(request, view, todo, counts)


async def _update_from_edit_page(request: Request, form: FormData) -> Response:
    user = require_user(request)
    db = db_session(request)
    todo_id: int = request.path_params["todo_id"]
    view = ListView.of(request)
    current = await queries.get_todo_for(db, user, todo_id)
    lists = await _lists(request, view)
    values, errors = parse_edit(form, current.list_id, {list_.id for list_ in lists})
    if errors:
        return await _edit_page(request, view, current, errors, values, 422)
    # The labels first: the changed row then carries them (a label's page it left).
    await queries.set_labels(db, user, todo_id, values.label_names)
    todo, counts = await queries.edit_todo(
        db, user, todo_id, values.title, values.description, values.list_id, values.due_date
    )
    moved_to = None
    if todo.list_id != current.list_id:
        moved_to = next(list_.name for list_ in lists if list_.id == todo.list_id)
    return await _saved(request, view, todo, counts, moved_to)


async def _saved(
    request: Request,
    view: ListView,
    todo: TodoRow,
    counts: Counts,
    moved_to: str | None = None,
) -> Response:
    """A plain form's answer to a saved edit: back to the view, with a word."""
    if moved_to is None:
        back_to = await _view_showing(request, view, todo.id)
        response = await _one_changed(request, back_to, todo, counts)
        flash.keep(request, response, f"Saved “{todo.title}”.")
    else:
        # The row left this list: back where it was, next to its old neighbours.
        response = await _one_changed(request, view, todo, counts, gone=True)
        flash.keep(request, response, f"Moved “{todo.title}” to {moved_to}.")
    return response


def _deleted_message(deleted: queries.Deleted) -> str:
    if len(deleted.titles) == 1:
        return f"Deleted “{deleted.titles[0]}”."
    return f"Deleted {len(deleted.titles)} completed todos."


@login_required
async def delete(request: Request) -> Response:
    view = ListView.of(request)
    todo_id: int = request.path_params["todo_id"]
    db = db_session(request)
    user = require_user(request)
    deleted = await queries.delete_todo(db, user, todo_id)
    message = flash.Message(_deleted_message(deleted), undo=deleted.deletion_id)
    if not is_htmx(request):
        neighbour = None
        if view.kind == "list":
            neighbour = await queries.neighbour(
                db, user, view.list_id, todo_id, view.filter, view.order
            )
        response = _back(request, view, neighbour)
        flash.keep(request, response, message.text, message.undo)
        return response
    context = {
        "view": view,
        "todo": None,
        "counts": await queries.count_todos(db, user, deleted.list_id),
        "message": message,
        "nav": await _lists(request, view),
    }
    return render(request, "todos/_changed.html", context)


async def _whole_list(
    request: Request, view: ListView, message: flash.Message | None, *, added: int = 0
) -> Response:
    """The list section again, as many rows as the page showed (and `added` more), for a
    change to many (or Today's or Upcoming's, after an Undo there)."""
    context: dict[str, object] = {
        "view": view,
        "message": message,
        "nav": await _lists(request, view),
    }
    if view.kind != "list":
        context["groups"], context["more"] = await _groups(request, view)
        return render(request, "todos/_across_app.html", context)
    rows, counts = await _rows(request, view, shown=await _shown(request) + added)
    context |= {"rows": rows, "counts": counts}
    return render(request, "todos/_app.html", context)


@login_required
async def toggle_all(request: Request) -> Response:
    view = ListView.of(request)
    # The checkbox is sent (done=true) when ticked, and left out when unticked.
    done = (await read_form(request)).get("done") == "true"
    await queries.set_all_done(db_session(request), require_user(request), view.list_id, done)
    if not is_htmx(request):
        return _back(request, view)
    return await _whole_list(request, view, None)


@login_required
async def clear_completed(request: Request) -> Response:
    view = ListView.of(request)
    deleted = await queries.clear_completed(
        db_session(request), require_user(request), view.list_id
    )
    message = flash.Message(_deleted_message(deleted), deleted.deletion_id) if deleted else None
    if not is_htmx(request):
        response = _back(request, view)
        if message is not None:
            flash.keep(request, response, message.text, message.undo)
        return response
    return await _whole_list(request, view, message)


@login_required
async def undo(request: Request) -> Response:
    view = ListView.of(request)
    restored = await queries.undo_deletion(
        db_session(request), require_user(request), request.path_params["deletion_id"]
    )
    if restored.list_id is not None:
        # A list came back: open it (the whole page: the navigation changes too).
        url = request.app.url_path_for("list_all", list_id=restored.list_id)
        response: Response = (
            Response(status_code=204, headers={"HX-Redirect": url})
            if is_htmx(request)
            else RedirectResponse(url, status_code=303)
        )
        flash.keep(request, response, "Restored the list.")
        return response
    ids = restored.todo_ids
    text = "Restored." if len(ids) == 1 else f"Restored {len(ids)} todos."
    if not is_htmx(request):
        response = _back(request, view, ids[0])
        flash.keep(request, response, text)
        return response
    response = await _whole_list(request, view, flash.Message(text), added=len(ids))
    # Where the keyboard goes next: the (first) restored row (app.js).
    response.headers["X-Restored"] = f"todo-{ids[0]}"
    return response


@login_required
async def move(request: Request) -> Response:
    """A todo one place up or down in its list's own order (the buttons), or dragged to
    right after another (`after`, empty for first: app.js, which needs no answer)."""
    view = ListView.of(request)
    todo_id: int = request.path_params["todo_id"]
    form = await read_form(request)
    db, user = db_session(request), require_user(request)
    if "after" in form:
        after = form.get("after")
        after_id = parse_id(after) if isinstance(after, str) and after else None
        if after and after_id is None:
            raise BadInput("That is not a place in the list.")
        await queries.move_todo(db, user, todo_id, after=after_id)
        return Response(status_code=204)
    step = form.get("step")
    if step not in STEPS:
        raise BadInput("Move a todo up or down.")
    await queries.move_todo(db, user, todo_id, step=STEPS[step], filter_=view.filter)
    if not is_htmx(request):
        return _back(request, view, todo_id)
    return await _whole_list(request, view, None)


# -- lists -----------------------------------------------------------------------------------


@login_required
async def add_list(request: Request) -> Response:
    view = ListView.of(request)
    errors: dict[str, str] = {}
    name = parse_list_name(await read_form(request), errors)
    if errors:
        return await _page(request, view, 422, list_errors=errors, list_name=name)
    list_id = await queries.add_list(db_session(request), require_user(request), name)
    return _back(request, ListView(list_id=list_id))


@login_required
async def rename_list(request: Request) -> Response:
    view = ListView.of(request, "all")
    errors: dict[str, str] = {}
    name = parse_list_name(await read_form(request), errors)
    if errors:
        return await _page(request, view, 422, rename_errors=errors, new_name=name)
    await queries.rename_list(
        db_session(request), require_user(request), request.path_params["list_id"], name
    )
    response = _back(request, view)
    flash.keep(request, response, f"Renamed the list to “{name}”.")
    return response


@login_required
async def delete_list(request: Request) -> Response:
    deleted = await queries.delete_list(
        db_session(request), require_user(request), request.path_params["list_id"]
    )
    response = _back(request, ListView())
    text = f"Deleted the list “{deleted.titles[0]}” and its todos."
    flash.keep(request, response, text, deleted.deletion_id)
    return response


routes = [
    # One route per filter: real paths that reload and go back like any page.
    Route("/", all_todos, name="todos_all"),
    Route("/active", active_todos, name="todos_active"),
    Route("/completed", completed_todos, name="todos_completed"),
    Route("/todos", create, methods=["POST"], name="create"),
    Route("/todos/toggle-all", toggle_all, methods=["POST"], name="toggle_all"),
    Route("/todos/clear-completed", clear_completed, methods=["POST"], name="clear_completed"),
    Route("/todos/{todo_id:id}/toggle", toggle, methods=["POST"], name="toggle"),
    Route("/todos/{todo_id:id}/edit", edit_page, name="edit"),
    Route("/todos/{todo_id:id}", update, methods=["POST"], name="update"),
    Route("/todos/{todo_id:id}/delete", delete, methods=["POST"], name="delete"),
    Route("/todos/{todo_id:id}/move", move, methods=["POST"], name="move"),
    Route("/deletions/{deletion_id:id}/undo", undo, methods=["POST"], name="undo"),
    Route("/today", today, name="today"),
    Route("/upcoming", upcoming, name="upcoming"),
    Route("/labels/{name:path}", label, name="label"),
    Route("/search", search, name="search"),
    Route("/lists", add_list, methods=["POST"], name="add_list"),
    Route("/lists/{list_id:id}", list_all, name="list_all"),
    Route("/lists/{list_id:id}/active", list_active, name="list_active"),
    Route("/lists/{list_id:id}/completed", list_completed, name="list_completed"),
    Route("/lists/{list_id:id}/rename", rename_list, methods=["POST"], name="rename_list"),
    Route("/lists/{list_id:id}/delete", delete_list, methods=["POST"], name="delete_list"),
]
