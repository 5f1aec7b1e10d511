"""The lean baseline: the same pages, toggle and add written by hand, as lean as it gets.

What the best hand-written version of our list page costs on this stack: Starlette with
a plain list of four routes and no middleware, raw asyncpg, and one compact Jinja2
template per response (autoescaping on, a plain for-loop over the rows, URLs written
out as `/todos/{{ t.id }}/toggle`, the static files' hashed names worked out once at
start-up). It is not a stripped page: it has the TodoMVC structure and every control
our page has — per row the toggle form (CSRF field, labelled checkbox, the no-JS
button), the title, the description, the due date in words ("Today", "Overdue · 2 Dec"),
the list's name (on Today) and the label links, the Edit link, the delete form and the
inline edit form; the new-todo form with its description; toggle all; the counter,
filters, clear completed and the four orders; the Lists navigation (the Inbox, Today
and Upcoming, then every list, each with its count, and the add-list form); the top
bar with the search form, the account and log-out form; the message area, the keyboard
shortcuts' script and help dialog, the csrf-token meta and the same `data-hx-*`
attributes. The Today page has its heading, hint, new-todo form and the Overdue and
Today groups. Fragments update the navigation's counts out of band, as ours do (Today's
and Upcoming's too when the toggled todo is due).

The work behind it is bench/baseline.py's, imported from there: the session lookup by
the cookie's SHA-256 joined with its user (and the once-a-minute touch), the Host
check, the CSRF HMAC on POSTs, the same security headers, the lists with their counts
(one grouped statement), the page query (50 + 1 rows of the Inbox, carrying their
labels and the counts), Today's query, `UPDATE ... RETURNING` the row and its list's
counts for the toggle (and the lists' counts for a due todo), the add form's
validation, `INSERT ... SELECT ... RETURNING` into the Inbox and the counts, the same
pool. Only the default view (the Inbox, all todos, oldest first) and Today are served,
as in the baseline. Due dates in words come from the same function as ours
(webapp/dates.py).

The markup is not ours byte for byte: the harness checks what both must show (row ids,
titles in order, done states, the counter, "Show more", the csrf-token meta, the lists'
names and counts in order, the add-list form, due dates in words, labels, the search
form, Today's rows and headings).

Run: `python -m bench.lean --port 8002` with DATABASE_URL and SECRET_KEY (DB_POOL_SIZE,
BENCH_PGBOUNCER) in the environment.
"""

from __future__ import annotations

import contextlib
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bench.baseline import (
    HEADERS,
    Changed,
    Config,
    Lists,
    Login,
    NoInbox,
    Service,
    bad_host,
    check_htmx_post,
    host_allowed,
    not_found,
    read_new_todo,
    serve,
    session_id_of,
    to_login,
)
from webapp.dates import due_words

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# -- the markup ------------------------------------------------------------------------------
# Pieces of one page, put together into one template per response below. The row is
# written once and inlined wherever a row is shown; `title` is escaped once per row.

CSRF = '<input type="hidden" name="csrf_token" value="{{ csrf }}">'
BOOST = 'data-hx-boost="push:false"'

ROW = (
    "{% set title = t.title|e %}"
    '<li id="todo-{{ t.id }}"{% if t.done %} class="completed"{% endif %}>'
    '<div class="view">'
    '<form class="toggle-form" method="post" action="/todos/{{ t.id }}/toggle{{ q }}" '
    f'{BOOST} data-hx-trigger="change" data-hx-target="closest li" data-hx-swap="outerHTML" '
    'data-hx-sync="this:drop" data-hx-disable="find .toggle">'
    f"{CSRF}"
    '<input class="toggle" type="checkbox"{% if t.done %} checked{% endif %}'
    ' aria-label="Done: {{ title }}">'
    '<button type="submit" class="button small no-js">'
    "{% if t.done %}Not done{% else %}Done{% endif %}</button></form>"
    '<label class="title" dir="auto" tabindex="0" title="{{ title }}"'
    ' aria-describedby="edit-hint">{{ title }}</label>'
    '{% if t.description %}<p class="description" dir="auto">{{ t.description }}</p>{% endif %}'
    "{% if t.due_on or t.list_name or t.labels %}"
    '<p class="meta">'
    "{% if t.due_on %}{% set words, overdue = due_words(t.due_on, today, t.done) %}"
    '<time class="due{% if overdue %} overdue{% endif %}" datetime="{{ t.due_on }}">'
    "{{ words }}</time>{% endif %}"
    "{% if t.list_name %}"
    '<a class="in-list" href="/lists/{{ t.list_id }}" dir="auto">{{ t.list_name }}</a>'
    "{% endif %}"
    "{% for name in t.label_names %}"
    '<a class="label" href="/labels/{{ name|urlencode }}" dir="auto">'
    '<span aria-hidden="true">#</span>{{ name }}</a>'
    "{% endfor %}</p>{% endif %}"
    '<a class="edit-link" href="/todos/{{ t.id }}/edit{{ q }}">Edit'
    '<span class="visually-hidden"> “{{ title }}”</span></a>'
    '<form class="destroy-form" method="post" action="/todos/{{ t.id }}/delete{{ q }}" '
    f'{BOOST} data-hx-target="closest li" data-hx-swap="delete" data-hx-sync="this:drop">'
    f'{CSRF}<button type="submit" class="destroy" aria-label="Delete “{{{{ title }}}}”"></button>'
    "</form></div>"
    '<form class="edit-form" method="post" action="/todos/{{ t.id }}{{ q }}" '
    f'{BOOST} data-hx-target="closest li" data-hx-swap="outerHTML" data-hx-sync="this:drop">'
    f"{CSRF}"
    '<input class="edit" name="title" dir="auto" value="{{ title }}" data-original="{{ title }}"'
    ' aria-label="Edit “{{ title }}”" maxlength="200" required></form>'
    "</li>\n"
)


def _toggle_all(oob: bool) -> str:
    return (
        "{% set all_done = total and not active %}"
        '<form id="toggle-all-form" class="toggle-all-form" method="post"'
        f' action="/todos/toggle-all" {BOOST} data-hx-trigger="change"'
        ' data-hx-target="#todo-main" data-hx-swap="outerHTML" data-hx-sync="this:drop"'
        + (' data-hx-swap-oob="true"' if oob else "")
        + f">{CSRF}"
        '<input type="hidden" name="done" value="{% if all_done %}false{% else %}true{% endif %}">'
        '<input id="toggle-all" class="toggle-all" type="checkbox"'
        "{% if all_done %} checked{% endif %}>"
        '<label for="toggle-all">Mark all as complete</label>'
        '<button type="submit" class="button small no-js">'
        "{% if all_done %}Mark all as active{% else %}Mark all as complete{% endif %}"
        "</button></form>\n"
    )


def _footer(oob: bool) -> str:
    return (
        '<footer id="footer" class="footer"{% if not total %} hidden{% endif %}'
        + (' data-hx-swap-oob="outerMorph"' if oob else "")
        + ">"
        '<span class="todo-count" role="status" aria-live="polite" aria-atomic="true">'
        "<strong>{{ active }}</strong> {% if active == 1 %}item{% else %}items{% endif %} left"
        "</span>"
        '<nav aria-label="Filters"><ul class="filters">'
        '<li><a href="/" class="selected" aria-current="page">All</a></li>'
        '<li><a href="/active">Active</a></li>'
        '<li><a href="/completed">Completed</a></li>'
        "</ul></nav>"
        "{% if total > active %}"
        '<form class="clear-completed-form" method="post" action="/todos/clear-completed"'
        f' {BOOST} data-hx-target="#todo-main" data-hx-swap="outerHTML" data-hx-sync="this:drop">'
        f'{CSRF}<button type="submit" class="clear-completed">Clear completed</button></form>'
        "{% endif %}"
        '<nav class="orders" aria-label="Order"><ul>'
        '<li><a href="/" class="selected" aria-current="true">Oldest first</a></li>'
        '<li><a href="/?order=newest">Newest first</a></li>'
        '<li><a href="/?order=due">By due date</a></li>'
        '<li><a href="/?order=manual">Own order</a></li>'
        "</ul></nav>"
        "</footer>\n"
    )


def _count(key: str, value: str, oob: bool = False) -> str:
    return (
        f'<span id="nav-count-{key}" class="count"'
        + (' data-hx-swap-oob="true"' if oob else "")
        + f'>{{% if {value} %}}{{{{ {value} }}}}<span class="visually-hidden"> to do</span>'
        "{% endif %}</span>"
    )


# The Inbox, Today and Upcoming, then the other lists; `page` says which is current.
NAV = (
    '<nav id="lists-nav" class="lists-nav" aria-label="Lists"><ul class="lists">\n'
    "{% set inbox = lists[0] %}"
    '<li><a href="/"{% if page == "inbox" %} aria-current="page"{% endif %}>'
    '<span class="list-name" dir="auto">{{ inbox.name }}</span>'
    + _count("{{ inbox.id }}", "inbox.active")
    + "</a></li>\n"
    '<li><a href="/today"{% if page == "today" %} aria-current="page"{% endif %}>'
    '<span class="list-name" dir="auto">Today</span>' + _count("today", "due") + "</a></li>\n"
    '<li><a href="/upcoming"><span class="list-name" dir="auto">Upcoming</span>'
    + _count("upcoming", "upcoming")
    + "</a></li>\n"
    "{% for l in lists[1:] %}"
    '<li><a href="/lists/{{ l.id }}"><span class="list-name" dir="auto">{{ l.name }}</span>'
    + _count("{{ l.id }}", "l.active")
    + "</a></li>\n"
    "{% endfor %}</ul>\n"
    f'<form class="add-list" method="post" action="/lists{{{{ q }}}}">{CSRF}'
    '<label for="new-list-name">List name</label><div class="add-list-row">'
    '<input id="new-list-name" name="name" dir="auto" maxlength="100" required'
    ' autocomplete="off" value="">'
    '<button type="submit" class="button small">Add list</button></div></form>\n'
    "</nav>\n"
)

SHORTCUTS = (
    '<dialog id="shortcuts-help" class="shortcuts-help" aria-labelledby="shortcuts-help-title">'
    '<h2 id="shortcuts-help-title">Keyboard shortcuts</h2><dl class="shortcuts-list">'
    "<dt><kbd>n</kbd></dt><dd>Go to the new-todo field</dd>"
    "<dt><kbd>/</kbd></dt><dd>Go to the search box</dd>"
    "<dt><kbd>j</kbd></dt><dd>Next todo</dd>"
    "<dt><kbd>k</kbd></dt><dd>Previous todo</dd>"
    "<dt><kbd>x</kbd></dt><dd>Mark the selected todo done, or not done</dd>"
    "<dt><kbd>e</kbd></dt><dd>Edit the selected todo on its own page</dd>"
    "<dt><kbd>z</kbd></dt><dd>Undo, when a message offers it</dd>"
    "<dt><kbd>?</kbd></dt><dd>Show these shortcuts</dd>"
    "<dt><kbd>Esc</kbd></dt><dd>Close this dialog</dd></dl>"
    "<p>They don't apply while you type in a field.</p>"
    '<form method="dialog"><button type="submit">Close</button></form></dialog>\n'
)


def _new_form(oob: bool) -> str:
    return (
        '<form id="new-todo-form" class="new-todo-form" method="post" action="/todos{{ q }}"'
        f' {BOOST} data-hx-target="#todo-list" data-hx-swap="beforeend" data-hx-sync="this:drop"'
        + (' data-hx-swap-oob="true"' if oob else "")
        + f">{CSRF}"
        '<input class="new-todo" name="title" dir="auto" placeholder="What needs to be done?"'
        ' aria-label="New todo" autocomplete="off" required maxlength="200"'
        + ("" if oob else " autofocus")
        + ' value="">'
        '<details class="new-details"><summary>Add a description</summary>'
        '<label for="new-description" class="visually-hidden">Description</label>'
        '<textarea id="new-description" name="description" rows="2" maxlength="5000"'
        ' placeholder="Optional details"></textarea>'
        '<button type="submit" class="button">Add</button></details></form>\n'
    )


def _page(title: str, brand: str, page: str, content: str) -> str:
    """A whole page: the head, the top bar (search, account), the navigation with `page`
    current, `content` in main, and the shortcuts' dialog."""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="description" content="A to-do list: add, complete, filter and undo,'
        ' in any browser, with or without JavaScript.">\n'
        '<meta name="csrf-token" content="{{ csrf }}">\n'
        '<meta name="htmx-config" content=\''
        '{"includeIndicatorCSS": false, "allowEmptySwapAfterOOB": true}\'>\n'
        f"<title>{title}</title>\n"
        '<link rel="icon" href="{{ static.favicon }}" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="{{ static.css }}">\n'
        '<script src="{{ static.htmx }}" defer></script>\n'
        '<script src="{{ static.js }}" defer></script>\n'
        '<script src="{{ static.shortcuts }}" defer></script>\n'
        "</head>\n<body>\n"
        '<a class="skip-link" href="#main">Skip to content</a>\n'
        f'<header class="topbar">{brand}'
        '<form class="search" role="search" method="get" action="/search">'
        '<input type="search" name="q" aria-label="Search" placeholder="Search" maxlength="200"'
        ' autocomplete="off" value="" data-hx-get="/search"'
        ' data-hx-trigger="input changed delay:300ms, search" data-hx-target="#main"'
        ' data-hx-select="#main" data-hx-swap="outerHTML" data-hx-push-url="true"'
        ' data-hx-sync="this:replace"></form>'
        '<div class="account"><a class="account-email" href="/account">{{ email }}</a>'
        f'<form method="post" action="/logout">{CSRF}'
        '<button type="submit" class="link-button">Log out</button></form></div></header>\n'
        '<div id="messages" class="messages" role="status" aria-live="polite"></div>\n'
        '<div class="page with-lists">\n'
        f"{{% set page = '{page}' %}}" + NAV + '<main id="main" tabindex="-1">\n'
        '<section class="todoapp">\n' + content + '<p id="edit-hint" hidden>'
        "Double-click or press Enter to edit.</p>\n"
        "</section>\n</main>\n</div>\n" + SHORTCUTS + "</body>\n</html>\n"
    )


PAGE = _page(
    "All · Inbox · todos",
    "<span></span>",
    "inbox",
    '<header class="header"><h1>todos</h1>\n' + _new_form(oob=False) + "</header>\n"
    '<div id="todo-body" class="todo-body">\n'
    '<section id="todo-main" class="main" aria-label="Todos">\n'
    + _toggle_all(oob=False)
    + '<ul class="todo-list" id="todo-list">\n'
    + "{% for t in todos %}"
    + ROW
    + "{% endfor %}</ul>\n"
    '<div id="more" class="more">{% if more_after %}'
    '<a class="button" href="/?after={{ more_after }}"'
    f' {BOOST} data-hx-target="#todo-list" data-hx-swap="beforeend" data-hx-sync="this:drop">'
    "Show more</a>{% endif %}</div>\n"
    "</section>\n" + _footer(oob=False) + "</div>\n",
)
# Today: the undone todos due by today from every list, the overdue ones first.
TODAY = _page(
    "Today · todos",
    '<a class="brand" href="/">todos</a>',
    "today",
    '<header class="header"><h1 class="list-heading" dir="auto">Today</h1>\n'
    '<p class="hint across-hint">Undone todos due today or before, from every list.'
    " New ones go to the Inbox, due today.</p>\n" + _new_form(oob=False) + "</header>\n"
    '<section id="todo-main" class="main across" aria-label="Todos">\n'
    "{% for g in groups %}"
    '<h2 class="day-heading" id="day-{{ g.key }}">{{ g.heading }}</h2>'
    '<ul class="todo-list" id="{{ g.list_id }}" aria-labelledby="day-{{ g.key }}">\n'
    "{% for t in g.todos %}" + ROW + "{% endfor %}</ul>\n"
    "{% endfor %}"
    '<p class="empty-filter empty-across">Nothing left for today.</p>\n'
    '{% if more %}<p class="empty-filter">These are the first {{ shown }};'
    " there are more.</p>{% endif %}"
    "</section>\n",
)
# After a toggle: the row, then toggle all, the footer and the list's count in the
# navigation out of band (as ours), and Today's and Upcoming's for a due todo.
CHANGED = (
    ROW
    + _toggle_all(oob=True)
    + _footer(oob=True)
    + _count("{{ list_id }}", "active", oob=True)
    + "\n{% if nav %}"
    + _count("today", "nav.due", oob=True)
    + _count("upcoming", "nav.upcoming", oob=True)
    + "{% endif %}\n"
)
# After an add: the same, and a fresh new-todo form.
CREATED = CHANGED + _new_form(oob=True)

ENVIRONMENT = jinja2.Environment(autoescape=True, auto_reload=False)
ENVIRONMENT.globals["due_words"] = due_words
TEMPLATES = {
    "page": ENVIRONMENT.from_string(PAGE),
    "today": ENVIRONMENT.from_string(TODAY),
    "changed": ENVIRONMENT.from_string(CHANGED),
    "created": ENVIRONMENT.from_string(CREATED),
}


def static_urls() -> dict[str, str]:
    """The static files' content-hashed URLs, as our app links them (the same build)."""
    from webapp.static_files import HashedStaticFiles  # servestatic only, not the app

    static = HashedStaticFiles(PROJECT_ROOT / "static")
    htmx = HashedStaticFiles(PROJECT_ROOT / "node_modules" / "htmx.org" / "dist", ["htmx.min.js"])
    return {
        "favicon": "/static/" + static.hashed_name("favicon.svg"),
        "css": "/static/" + static.hashed_name("app.css"),
        "js": "/static/" + static.hashed_name("app.js"),
        "shortcuts": "/static/" + static.hashed_name("shortcuts.js"),
        "htmx": "/static/vendor/htmx/" + htmx.hashed_name("htmx.min.js"),
    }


class Lean(Service):
    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.static = static_urls()

    def render(self, template: str, context: dict[str, Any]) -> Response:
        return HTMLResponse(TEMPLATES[template].render(context), headers=HEADERS)


def _lean(request: Request) -> Lean:
    lean: Lean = request.app.state.lean
    return lean


async def list_page(request: Request) -> Response:
    if not host_allowed(request):
        return bad_host()
    app = _lean(request)
    session_id = session_id_of(request)
    if session_id is None:
        return to_login()
    page = await app.first_page(session_id)
    if page is None:
        return to_login()
    if isinstance(page, NoInbox):
        return not_found()
    return app.render(
        "page",
        _page_context(app, session_id, page.login, page.lists)
        | {
            "q": "",
            "today": page.view.today,
            "todos": page.todos,
            "more_after": page.more_after,
            "total": page.counts.total,
            "active": page.counts.active,
        },
    )


def _page_context(app: Lean, session_id: str, login: Login, lists: Lists) -> dict[str, Any]:
    return {
        "csrf": app.sign("session", session_id),
        "static": app.static,
        "email": login.user.email,
        "lists": lists.lists,
        "due": lists.due,
        "upcoming": lists.upcoming,
    }


async def today_page(request: Request) -> Response:
    if not host_allowed(request):
        return bad_host()
    app = _lean(request)
    session_id = session_id_of(request)
    if session_id is None:
        return to_login()
    page = await app.today_page(session_id)
    if page is None:
        return to_login()
    return app.render(
        "today",
        _page_context(app, session_id, page.login, page.lists)
        | {
            "q": "?view=today",
            "today": page.view.today,
            "groups": page.groups,
            "more": page.more,
            "shown": sum(len(g.todos) for g in page.groups),
        },
    )


def _row(app: Lean, session_id: str, changed: Changed, template: str) -> Response:
    assert changed.counts is not None
    return app.render(
        template,
        {
            "csrf": app.sign("session", session_id),
            "q": "",
            "today": changed.view.today,
            "t": changed.todo,
            "total": changed.counts.total,
            "active": changed.counts.active,
            "list_id": changed.counts.list_id,
            "nav": changed.nav,
        },
    )


async def toggle(request: Request) -> Response:
    app = _lean(request)
    session_id, refused = check_htmx_post(request, app)
    if refused is not None:
        return refused
    assert session_id is not None
    todo_id: int = request.path_params["todo_id"]
    if not 0 < todo_id < 2**63:
        return not_found()
    changed = await app.toggle(session_id, todo_id)
    if changed is None:
        return to_login()
    if changed.todo is None:
        return not_found()
    return _row(app, session_id, changed, "changed")


async def create(request: Request) -> Response:
    app = _lean(request)
    session_id, refused = check_htmx_post(request, app)
    if refused is not None:
        return refused
    assert session_id is not None
    fields = await read_new_todo(request)
    if isinstance(fields, Response):
        return fields
    changed = await app.add(session_id, *fields)
    if changed is None:
        return to_login()
    if changed.todo is None:
        return not_found()
    return _row(app, session_id, changed, "created")


ROUTES = [
    Route("/", list_page, methods=["GET"]),
    Route("/today", today_page, methods=["GET"]),
    Route("/todos", create, methods=["POST"]),
    Route("/todos/{todo_id:int}/toggle", toggle, methods=["POST"]),
]


def create_app() -> Starlette:
    lean = Lean(Config(os.environ))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await lean.open()
        # As our app and the baseline do at start-up.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await lean.close()

    app = Starlette(routes=ROUTES, lifespan=lifespan)
    app.state.lean = lean
    return app


def main() -> None:
    serve("bench.lean", 8002, __doc__)


if __name__ == "__main__":
    main()
