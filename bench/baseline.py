"""The baseline: our list page, Today page, htmx toggle, add and login with nothing in
between.

Starlette routing, raw asyncpg and Jinja2, and no ORM, unit of work or middleware. It
does the same work as our app for these five requests, so that the difference is
what the app's design costs:

- the session cookie's SHA-256 looks up `login_sessions` joined with `users` (the same
  columns our query loads, the time zone among them: it decides the person's today),
  with the same idle / age checks and the once-a-minute touch;
- the list page (the Inbox) loads every list of the user with its counts of active
  todos, of those due by today and of those due in the next 14 days (one grouped
  statement, for the Lists navigation with Today and Upcoming), then the first 50 (+1)
  todos of the Inbox, each row carrying its labels (a correlated aggregate) and the
  Inbox's counts (one statement, as ours), and renders the very same templates from
  templates/ with the same context and Jinja2 options (due dates in words by our
  `due` filter), so the HTML is byte for byte ours;
- the Today page loads the lists the same way, then the undone todos due by today from
  every list with their list's name and labels (one statement), groups them into
  Overdue and Today as ours does, and renders `todos/across.html`;
- the toggle is one `UPDATE ... RETURNING` the row (with its labels) and the counts of
  its list after the change (it sets `updated_at` as our model's `onupdate` does), and,
  when the todo has a due date, the lists' counts again for Today's and Upcoming's
  numbers, rendering `todos/_changed.html` (with the navigation's counts out of band);
- add parses and validates the form like ours, inserts into the Inbox (at the end of
  its own order) with one `INSERT ... SELECT ... RETURNING`, then reads the counts, and
  renders
  `todos/_created.html`;
- every statement on todos reaches them through their list with our access rule (the
  user's own lists that aren't deleted), in the same SQL our queries compile to;
- login verifies argon2id through pwdlib with the same parameters, in the thread pool;
- CSRF is the same HMAC-SHA-256 of the session id, checked against the header (or the
  form field before login), plus the same Host and cross-site checks;
- responses carry the same security and Vary headers.

What it leaves out is what makes it the practical upper bound: no session object or
identity map, no explicit transaction (each statement commits on its own, and the
toggle is a single atomic statement), no middleware layers, and a pool that does not
reset connections on release (nothing here changes session state). The pool has the
same size as ours. Nothing is cached between requests except what Jinja2 and asyncpg
cache for our app too (compiled templates, prepared statements). Where our app tunes
something that is not about its design (filling in route paths by name in `path`,
`gc.freeze()` after start-up), the baseline does the same.

Run: `python -m bench.baseline --port 8001` with DATABASE_URL (and SECRET_KEY, DB_POOL_SIZE,
BENCH_PGBOUNCER, BENCH_ROUTES) in the environment.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import asyncpg
import jinja2
import uvicorn
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from webapp.dates import day_words, due_words, today_in, upcoming_until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Mapping, Sequence

    from starlette.requests import Request

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
SESSION_COOKIE = "session"
ANONYMOUS_COOKIE = "csrftoken"
TOUCH_INTERVAL = timedelta(minutes=1)
IDLE_TIMEOUT = 7 * 24 * 3600
MAX_AGE = 30 * 24 * 3600
ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})

# Our app's response headers, sent with every page and fragment.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Vary": "HX-Request, HX-Request-Type",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class View:
    """The two views the baseline serves, as our app's ListView gives them: the Inbox
    (all todos, oldest first, the first page) at `/`, and Today. The templates read
    these attributes and call `page_route`; the queries are worked out as ours would."""

    today: date
    kind: str = "list"
    list_id: None = None
    filter: str = "all"
    order: str = "oldest"
    after: None = None
    term: str = ""
    page_query: str = ""
    order_query: str = ""

    @property
    def query(self) -> str:
        return "" if self.kind == "list" else f"?view={self.kind}"

    def page_route(self, filter_: str | None = None) -> tuple[str, dict[str, int]]:
        if self.kind != "list":
            return self.kind, {}
        return f"todos_{filter_ or self.filter}", {}


# The most rows a page across lists shows (webapp/routes/todos.py).
MAX_ACROSS_ROWS = 100


SESSION_QUERY = (
    "SELECT login_sessions.user_id, login_sessions.created_at, login_sessions.last_seen_at,"
    " users.email, users.time_zone FROM login_sessions JOIN users"
    " ON users.id = login_sessions.user_id WHERE login_sessions.id = $1::VARCHAR"
)
TOUCH_QUERY = "UPDATE login_sessions SET last_seen_at = $2 WHERE id = $1"
DELETE_SESSION_QUERY = "DELETE FROM login_sessions WHERE id = $1"
# The SQL our queries compile to (webapp/queries.py), with asyncpg's placeholders.
# Every list of the user with its counts of active todos, of those due by today and of
# those due after today until 14 days on; the Inbox first.
LISTS_QUERY = (
    "SELECT lists.id, lists.name, lists.is_inbox, count(todos.id) AS count_1,"
    " count(todos.id) FILTER (WHERE todos.due_on <= $1::DATE) AS anon_1,"
    " count(todos.id) FILTER (WHERE todos.due_on > $1::DATE AND todos.due_on <= $2::DATE)"
    " AS anon_2 FROM lists LEFT OUTER JOIN todos ON todos.list_id = lists.id"
    " AND todos.deletion_id IS NULL AND todos.done IS false"
    " WHERE lists.owner_id = $3::BIGINT AND lists.deletion_id IS NULL"
    " GROUP BY lists.id, lists.name, lists.is_inbox ORDER BY lists.is_inbox DESC, lists.id"
)
# The Inbox, while it isn't deleted.
_INBOX = (
    "(SELECT lists.id FROM lists WHERE lists.owner_id = $1::BIGINT"
    " AND lists.deletion_id IS NULL AND lists.is_inbox)"
)
_IN_INBOX = f"todos.list_id = {_INBOX} AND todos.deletion_id IS NULL"
# A row's labels, comma-joined, from a correlated subquery.
_LABELS = (
    "(SELECT string_agg(todo_labels.name, ',') AS aggregate_strings_1"
    " FROM todo_labels WHERE todo_labels.todo_id = {}) AS labels"
)
_COLUMNS = "todos.id, todos.title, todos.description, todos.done, todos.list_id, todos.due_on"
COUNTS_QUERY = (
    "SELECT count(todos.id) AS total, count(todos.id) FILTER (WHERE todos.done IS false)"  # noqa: S608 - constants only
    f" AS active, {_INBOX} AS list_id FROM todos WHERE {_IN_INBOX}"
)
# The first page, each row carrying its labels and the counts of the whole list
# (computed once).
PAGE_QUERY = (
    f"SELECT {_COLUMNS}, {_LABELS.format('todos.id')},"  # noqa: S608 - constants only
    " counts.total, counts.active, counts.list_id AS list_id_1"
    f" FROM todos JOIN ({COUNTS_QUERY}) AS counts ON true"
    f" WHERE {_IN_INBOX} ORDER BY todos.id LIMIT $2"
)
# Today: the undone todos due by today from every usable list, with the list's name.
DUE_QUERY = (
    f"SELECT {_COLUMNS}, {_LABELS.format('todos.id')}, lists.name"  # noqa: S608 - constants only
    " FROM todos JOIN lists ON lists.id = todos.list_id"
    " WHERE lists.owner_id = $1::BIGINT AND lists.deletion_id IS NULL"
    " AND todos.deletion_id IS NULL AND todos.done IS false AND todos.due_on <= $2::DATE"
    " ORDER BY todos.due_on, todos.id LIMIT $3::INTEGER"
)
# The toggled row and the counts of its list after the change: the list's other todos
# plus the changed row as it is now.
_OTHERS = (
    "FROM todos AS other WHERE other.list_id = (SELECT me.list_id FROM todos AS me"
    " WHERE me.id = $2::BIGINT) AND other.deletion_id IS NULL AND other.id != $2::BIGINT"
)
TOGGLE_QUERY = (
    "UPDATE todos SET done=NOT todos.done, updated_at=now()"  # noqa: S608 - constants only
    " WHERE todos.list_id IN (SELECT lists.id FROM lists WHERE lists.owner_id = $1::BIGINT"
    " AND lists.deletion_id IS NULL) AND todos.deletion_id IS NULL AND todos.id = $2::BIGINT"
    f" RETURNING {_COLUMNS}, {_LABELS.format('$2::BIGINT')},"
    f" (SELECT count(other.id) AS count_1 {_OTHERS}) + 1 AS total,"
    f" (SELECT count(other.id) AS count_2 {_OTHERS} AND other.done IS false)"
    " + CASE WHEN todos.done THEN 0 ELSE 1 END AS active"
)
# Into the Inbox only if it is usable (no row to insert from otherwise), last in its
# own order; a new todo has no labels.
INSERT_QUERY = (
    "INSERT INTO todos (list_id, title, description, done, due_on, position)"  # noqa: S608 - constants only
    " SELECT lists.id, $2::VARCHAR AS anon_1, $3::VARCHAR AS anon_2, false AS anon_3,"
    " $4::DATE AS anon_4, coalesce((SELECT max(other.position) AS max_1"
    " FROM todos AS other WHERE other.list_id = lists.id), 0) + 1024 AS anon_5"
    " FROM lists WHERE lists.owner_id = $1::BIGINT AND lists.deletion_id IS NULL"
    f" AND lists.is_inbox RETURNING {_COLUMNS}, NULL AS labels"
)
USER_QUERY = "SELECT id, email, password_hash, created_at FROM users WHERE email = $1"
CREATE_SESSION_QUERY = (
    "INSERT INTO login_sessions (id, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)"
)

_hasher = PasswordHash((Argon2Hasher(),))


class Row(asyncpg.Record):
    """A record whose columns read as attributes, as the templates expect (`todo.title`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    active: int
    list_id: int

    @property
    def completed(self) -> int:
        return self.total - self.active


class ListRow(NamedTuple):
    """A list in the navigation, as ours (webapp/queries.py): its counts of todos to do,
    due by today and due in the coming days."""

    id: int
    name: str
    is_inbox: bool
    active: int
    due: int
    upcoming: int


@dataclass(frozen=True, slots=True)
class Lists:
    """Every list for the navigation, with Today's and Upcoming's counts across them
    (our `queries.Lists`)."""

    lists: list[ListRow]

    @property
    def inbox(self) -> ListRow:
        return self.lists[0]

    @property
    def due(self) -> int:
        return sum(list_.due for list_ in self.lists)

    @property
    def upcoming(self) -> int:
        return sum(list_.upcoming for list_ in self.lists)

    def __iter__(self) -> Iterator[ListRow]:
        return iter(self.lists)


class TodoRow(NamedTuple):
    """What a row shows, as ours (webapp/queries.py): a plain tuple of the columns."""

    id: int
    title: str
    description: str | None
    done: bool
    list_id: int
    due_on: date | None
    labels: str | None
    list_name: str | None = None

    @property
    def label_names(self) -> list[str]:
        return sorted(self.labels.split(",")) if self.labels else []


_ROW_WIDTH = 7


@dataclass(frozen=True, slots=True)
class Group:
    """Rows of Today under a heading: the overdue ones, and today's (as ours)."""

    key: str
    heading: str | None
    todos: list[TodoRow]
    list_id: str = "todo-list"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    time_zone: str

    @property
    def today(self) -> date:
        return today_in(self.time_zone)


@dataclass(frozen=True, slots=True)
class Login:
    session_id: str
    user: User


@dataclass(frozen=True, slots=True)
class Page:
    """The first page of the default view: every list with its counts (the
    navigation), the Inbox among them, at most PAGE_SIZE rows, and the counts."""

    login: Login
    view: View
    lists: Lists
    current: ListRow
    todos: list[TodoRow]
    more_after: int | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class TodayPage:
    """Today: every list with its counts, and the groups of due todos."""

    login: Login
    view: View
    lists: Lists
    groups: list[Group]
    more: bool


class NoInbox:
    """The user has no usable Inbox: our app answers 404."""


NO_INBOX = NoInbox()


@dataclass(frozen=True, slots=True)
class Changed:
    """A toggled or added row (None: no such todo of this user), the new counts, and
    the lists counted again when Today's and Upcoming's numbers may have changed."""

    login: Login
    view: View
    todo: TodoRow | None
    counts: Counts | None
    nav: Lists | None = None


class Config:
    def __init__(self, environ: Mapping[str, str]) -> None:
        url = environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
        # SQLAlchemy-only URL options (the prepared statement cache) mean nothing to asyncpg.
        self.dsn = url.split("?", 1)[0]
        self.key = environ["SECRET_KEY"].encode()
        self.pool_size = int(environ.get("DB_POOL_SIZE", "10"))
        self.pgbouncer = environ.get("BENCH_PGBOUNCER", "") == "1"


def routes_by_name(
    routes: Sequence[BaseRoute], prefix: str = ""
) -> dict[str, tuple[str, BaseRoute]]:
    """Every named route with the path of the unnamed mounts it sits in."""
    found: dict[str, tuple[str, BaseRoute]] = {}
    for route in routes:
        if isinstance(route, Mount) and not route.name:
            for name, entry in routes_by_name(route.routes, prefix + route.path).items():
                found.setdefault(name, entry)
        elif isinstance(route, Route | Mount) and route.name:
            found.setdefault(route.name, (prefix, route))
    return found


def make_environment() -> jinja2.Environment:
    # Exactly our app's Jinja2 options: the same templates give the same bytes. The
    # URL helpers (`path`, `static_url`) are set once the routes exist (`create_app`).
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=True,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Our due dates in words (webapp/templating.py), the same functions.
    env.filters["due"] = due_words
    env.filters["day"] = day_words
    return env


def set_globals(env: jinja2.Environment, routes: dict[str, tuple[str, BaseRoute]]) -> None:
    """Our app's template URL helpers (webapp/templating.py), the same code: paths by
    route name, and the static files' hashed names (the same content-hash build)."""
    from webapp.static_files import HashedStaticFiles  # servestatic only, not the app
    from webapp.templating import RoutePath

    paths = {
        name: RoutePath(prefix, route)
        for name, (prefix, route) in routes.items()
        if isinstance(route, Route | Mount)
    }

    def path(name: str, /, **params: Any) -> str:
        return paths[name].with_params(params)

    folders = {
        "static": HashedStaticFiles(PROJECT_ROOT / "static"),
        "htmx": HashedStaticFiles(
            PROJECT_ROOT / "node_modules" / "htmx.org" / "dist", ["htmx.min.js"]
        ),
        "sortable": HashedStaticFiles(
            PROJECT_ROOT / "node_modules" / "sortablejs", ["Sortable.min.js"]
        ),
    }

    def static_url(file: str, /, mount: str = "static") -> str:
        return path(mount, path=folders[mount].hashed_name(file))

    env.filters["path"] = path
    env.globals["static_url"] = static_url


class Service:
    """What both baselines share: the settings, the pool, CSRF signing, the session lookup."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._pool: asyncpg.Pool[Row] | None = None

    @property
    def pool(self) -> asyncpg.Pool[Row]:
        assert self._pool is not None
        return self._pool

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.config.dsn,
            min_size=self.config.pool_size,
            max_size=self.config.pool_size,
            timeout=5,
            command_timeout=30,
            record_class=Row,
            # Behind PgBouncer's transaction pooling, named prepared statements would
            # land on other server connections; asyncpg then uses unnamed ones.
            statement_cache_size=0 if self.config.pgbouncer else 100,
            # asyncpg asks for client_encoding 'utf-8' (quoted); the server reports
            # UTF8, and PgBouncer, seeing two different strings, sends a SET before
            # every transaction. Asking for the server's spelling avoids that.
            server_settings={"client_encoding": "UTF8"} if self.config.pgbouncer else None,
            reset=_keep_session_state,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def sign(self, kind: str, value: str) -> str:
        return hmac.new(self.config.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    async def login_session(self, conn: asyncpg.Connection[Row], session_id: str) -> Login | None:
        row = await conn.fetchrow(SESSION_QUERY, session_id)
        if row is None:
            return None
        now = datetime.now(UTC)
        if (now - row["last_seen_at"]).total_seconds() > IDLE_TIMEOUT or (
            now - row["created_at"]
        ).total_seconds() > MAX_AGE:
            await conn.execute(DELETE_SESSION_QUERY, session_id)
            return None
        if now - row["last_seen_at"] > TOUCH_INTERVAL:
            await conn.execute(TOUCH_QUERY, session_id, now)
        return Login(session_id, User(row["user_id"], row["email"], row["time_zone"]))

    async def lists(self, conn: asyncpg.Connection[Row], login: Login, today: date) -> Lists:
        rows = await conn.fetch(LISTS_QUERY, today, upcoming_until(today), login.user.id)
        return Lists([ListRow(*row) for row in rows])

    # The database work of the timed pages; each answers None when the session is
    # unknown or has ended (the caller redirects to the login page).

    async def first_page(self, session_id: str) -> Page | NoInbox | None:
        async with self.pool.acquire() as conn:
            login = await self.login_session(conn, session_id)
            if login is None:
                return None
            view = View(login.user.today)
            lists = await self.lists(conn, login, view.today)
            current = lists.inbox if lists.lists and lists.inbox.is_inbox else None
            if current is None:
                return NO_INBOX
            rows = await conn.fetch(PAGE_QUERY, login.user.id, PAGE_SIZE + 1)
            if rows:
                first = rows[0]
                counts = Counts(first["total"], first["active"], first["list_id_1"])
            else:
                # An empty page has no row to carry the counts.
                counts = await self.counts(conn, login)
        todos = [TodoRow(*row[:_ROW_WIDTH]) for row in rows[:PAGE_SIZE]]
        more_after = todos[-1].id if len(rows) > PAGE_SIZE else None
        return Page(login, view, lists, current, todos, more_after, counts)

    async def today_page(self, session_id: str) -> TodayPage | None:
        async with self.pool.acquire() as conn:
            login = await self.login_session(conn, session_id)
            if login is None:
                return None
            view = View(login.user.today, kind="today")
            today = view.today
            lists = await self.lists(conn, login, today)
            rows = await conn.fetch(DUE_QUERY, login.user.id, today, MAX_ACROSS_ROWS + 1)
        more = len(rows) > MAX_ACROSS_ROWS
        todos = [TodoRow(*row) for row in rows[:MAX_ACROSS_ROWS]]
        overdue = [todo for todo in todos if todo.due_on is not None and todo.due_on < today]
        groups = [Group("overdue", "Overdue", overdue, "overdue-list")] if overdue else []
        due_today = [todo for todo in todos if todo.due_on == today]
        groups.append(Group("today", "Today", due_today))
        return TodayPage(login, view, lists, groups, more)

    async def counts(self, conn: asyncpg.Connection[Row], login: Login) -> Counts:
        row = await conn.fetchrow(COUNTS_QUERY, login.user.id)
        assert row is not None
        return Counts(row["total"], row["active"], row["list_id"])

    async def toggle(self, session_id: str, todo_id: int) -> Changed | None:
        async with self.pool.acquire() as conn:
            login = await self.login_session(conn, session_id)
            if login is None:
                return None
            view = View(login.user.today)
            row = await conn.fetchrow(TOGGLE_QUERY, login.user.id, todo_id)
            if row is None:
                return Changed(login, view, None, None)
            todo = TodoRow(*row[:_ROW_WIDTH])
            # Today's and Upcoming's numbers change with a todo that is due.
            nav = await self.lists(conn, login, view.today) if todo.due_on else None
        return Changed(login, view, todo, Counts(row["total"], row["active"], todo.list_id), nav)

    async def add(self, session_id: str, title: str, description: str) -> Changed | None:
        async with self.pool.acquire() as conn:
            login = await self.login_session(conn, session_id)
            if login is None:
                return None
            view = View(login.user.today)
            row = await conn.fetchrow(INSERT_QUERY, login.user.id, title, description or None, None)
            if row is None:  # no usable Inbox
                return Changed(login, view, None, None)
            counts = await self.counts(conn, login)
        return Changed(login, view, TodoRow(*row), counts)


class Baseline(Service):
    """Our templates on the shared data layer."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.env = make_environment()

    def render(self, request: Request, name: str, context: dict[str, Any]) -> Response:
        html = self.env.get_template(name).render(context)
        return HTMLResponse(html, headers=HEADERS)


def _keep_session_state(_conn: asyncpg.Connection[Row]) -> Any:
    # Nothing here sets session state (no SET, LISTEN, cursors or advisory locks), so
    # the round trip of asyncpg's default RESET ALL / UNLISTEN / CLOSE ALL on every
    # release is skipped; asyncpg still rolls back an open transaction first.
    return _nothing()


async def _nothing() -> None:
    return None


def _app(request: Request) -> Baseline:
    baseline: Baseline = request.app.state.baseline
    return baseline


# -- request checks both baselines make (bench/lean.py imports them) -----------------------


def host_allowed(request: Request) -> bool:
    return request.headers.get("host", "").split(":")[0] in ALLOWED_HOSTS


def cross_site(request: Request) -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.headers.get("Host")


def session_id_of(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def bad_host() -> Response:
    return PlainTextResponse("Invalid host header", status_code=400)


def to_login() -> Response:
    return RedirectResponse("/login?next=%2F", status_code=303)


def forbidden() -> Response:
    return PlainTextResponse("forbidden", status_code=403)


def not_found() -> Response:
    return PlainTextResponse("not found", status_code=404)


def _has_control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def check_htmx_post(request: Request, service: Service) -> tuple[str | None, Response | None]:
    """The session id of a logged-in, same-site htmx POST with a valid CSRF header."""
    if not host_allowed(request):
        return None, bad_host()
    session_id = session_id_of(request)
    if session_id is None:
        return None, to_login()
    expected = service.sign("session", session_id)
    sent = request.headers.get("X-CSRF-Token")
    if cross_site(request) or sent is None or not hmac.compare_digest(sent, expected):
        return None, forbidden()
    return session_id, None


async def read_new_todo(request: Request) -> tuple[str, str] | Response:
    """The new-todo form's title and description, validated as ours does."""
    form = await request.form(max_files=0, max_fields=20, max_part_size=64 * 1024)
    title = form.get("title")
    description = form.get("description") or ""
    if not isinstance(title, str) or not isinstance(description, str):
        return PlainTextResponse("bad form", status_code=422)
    title = title.strip()
    description = description.strip()
    if (
        not title
        or len(title) > TITLE_MAX_LENGTH
        or _has_control_characters(title)
        or len(description) > DESCRIPTION_MAX_LENGTH
        or _has_control_characters(description, allowed="\n\r\t")
    ):
        return PlainTextResponse("invalid", status_code=422)
    return title, description.replace("\r\n", "\n")


# -- the baseline's endpoints ----------------------------------------------------------------


async def list_page(request: Request) -> Response:
    if not host_allowed(request):
        return bad_host()
    app = _app(request)
    session_id = session_id_of(request)
    if session_id is None:
        return to_login()
    page = await app.first_page(session_id)
    if page is None:
        return to_login()
    if isinstance(page, NoInbox):
        return not_found()
    context = {
        "view": page.view,
        "user": page.login.user,
        "csrf_token": app.sign("session", session_id),
        "message": None,
        "rows": SimpleNamespace(todos=page.todos, more_after=page.more_after),
        "counts": page.counts,
        "lists": page.lists,
        "current": page.current,
    }
    return app.render(request, "todos/index.html", context)


async def today_page(request: Request) -> Response:
    if not host_allowed(request):
        return bad_host()
    app = _app(request)
    session_id = session_id_of(request)
    if session_id is None:
        return to_login()
    page = await app.today_page(session_id)
    if page is None:
        return to_login()
    context = {
        "view": page.view,
        "user": page.login.user,
        "csrf_token": app.sign("session", session_id),
        "message": None,
        "groups": page.groups,
        "more": page.more,
        "lists": page.lists,
    }
    return app.render(request, "todos/across.html", context)


async def toggle(request: Request) -> Response:
    app = _app(request)
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
    return _render_row(request, app, session_id, changed, "todos/_changed.html")


async def create(request: Request) -> Response:
    app = _app(request)
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
    return _render_row(request, app, session_id, changed, "todos/_created.html")


def _render_row(
    request: Request, app: Baseline, session_id: str, changed: Changed, template: str
) -> Response:
    """A changed or added row's fragment, with toggle all, the footer and the list's
    count in the navigation swapped alongside (and Today's and Upcoming's with `nav`)."""
    context = {
        "view": changed.view,
        "user": changed.login.user,
        "csrf_token": app.sign("session", session_id),
        "message": None,
        "todo": changed.todo,
        "counts": changed.counts,
        "nav": changed.nav,
    }
    return app.render(request, template, context)


async def login(request: Request) -> Response:
    if not host_allowed(request):
        return bad_host()
    app = _app(request)
    if cross_site(request):
        return forbidden()
    form = await request.form(max_files=0, max_fields=20, max_part_size=64 * 1024)
    seed = request.cookies.get(ANONYMOUS_COOKIE)
    sent = form.get("csrf_token")
    if (
        not seed
        or len(seed) > 64
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, app.sign("anonymous", seed))
    ):
        return forbidden()
    email = form.get("email")
    password = form.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not password:
        return PlainTextResponse("invalid", status_code=422)
    email = email.strip().lower()
    if len(password.encode("utf-8", "surrogatepass")) > 1024:
        return PlainTextResponse("invalid", status_code=422)
    async with app.pool.acquire() as conn:
        user = await conn.fetchrow(USER_QUERY, email)
    if user is None:
        return PlainTextResponse("no such account", status_code=422)
    valid, _new_hash = await run_in_threadpool(
        _hasher.verify_and_update, password, user["password_hash"]
    )
    if not valid:
        return PlainTextResponse("wrong password", status_code=422)
    token = secrets.token_urlsafe(32)
    async with app.pool.acquire() as conn:
        await conn.execute(
            CREATE_SESSION_QUERY,
            hashlib.sha256(token.encode()).hexdigest(),
            user["id"],
            datetime.now(UTC),
        )
    response = RedirectResponse("/", status_code=303, headers=HEADERS)
    response.set_cookie(SESSION_COOKIE, token, max_age=MAX_AGE, httponly=True, samesite="lax")
    return response


async def not_here(_request: Request) -> Response:
    return NOT_HERE


# Routes that only exist so that the templates can link to them; a response is an ASGI app.
NOT_HERE = PlainTextResponse("not part of the baseline", status_code=404)


ENDPOINTS = {
    "todos_all": list_page,
    "today": today_page,
    "toggle": toggle,
    "create": create,
    "login_post": login,
}


def build_routes(table: list[dict[str, Any]]) -> list[BaseRoute]:
    import webapp.inputs  # noqa: F401 (registers our `{todo_id:id}` path converter)

    """Our app's route table (names, paths, methods, order; see `describe_routes`),
    with the four endpoints above and stubs elsewhere: the templates link to every
    route, and routing a request walks the same list as in our app."""
    built: list[BaseRoute] = []
    for entry in table:
        if "mount" in entry and entry["routes"] is not None:
            built.append(Mount(entry["mount"], routes=build_routes(entry["routes"])))
        elif "mount" in entry:
            built.append(Mount(entry["mount"], NOT_HERE, name=entry["name"]))
        else:
            endpoint = ENDPOINTS.get(entry["name"], not_here)
            built.append(
                Route(entry["route"], endpoint, name=entry["name"], methods=entry["methods"])
            )
    return built


def describe_routes(routes: Sequence[BaseRoute]) -> list[dict[str, Any]]:
    """A route table as JSON-able data: what `build_routes` rebuilds."""
    table: list[dict[str, Any]] = []
    for route in routes:
        if isinstance(route, Mount):
            children = describe_routes(route.routes) if not route.name else None
            table.append({"mount": route.path, "name": route.name, "routes": children})
        elif isinstance(route, Route):
            methods = sorted(route.methods or []) if route.methods else None
            table.append({"route": route.path, "name": route.name, "methods": methods})
    return table


def our_route_table() -> list[dict[str, Any]]:
    """Our app's routes. The harness passes them in BENCH_ROUTES so that this process
    doesn't import the app (its modules would weigh on the baseline's memory and GC)."""
    if "BENCH_ROUTES" in os.environ:
        table: list[dict[str, Any]] = json.loads(os.environ["BENCH_ROUTES"])
        return table
    from webapp.app import create_app as create_our_app  # only when run by hand
    from webapp.config import Settings

    settings = Settings(
        environment="production",
        database_url=os.environ["DATABASE_URL"].split("?", 1)[0],
        secret_key=os.environ["SECRET_KEY"],
    )
    return describe_routes(create_our_app(settings).routes)


def create_app() -> Starlette:
    baseline = Baseline(Config(os.environ))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await baseline.open()
        # As our app does at start-up: long-lived objects leave the collector's sight.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await baseline.close()

    app = Starlette(routes=build_routes(our_route_table()), lifespan=lifespan)
    app.state.baseline = baseline
    app.state.routes_by_name = routes_by_name(app.routes)
    set_globals(baseline.env, app.state.routes_by_name)
    return app


def serve(module: str, default_port: int, description: str | None) -> None:
    """Run `module`'s `create_app` with the same server settings as `webapp serve` (one
    worker, uvloop and httptools, no access log): the baseline's and the lean page's."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args()
    uvicorn.run(
        f"{module}:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        access_log=False,
        proxy_headers=True,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
    )


def main() -> None:
    serve("bench.baseline", 8001, __doc__)


if __name__ == "__main__":
    main()
