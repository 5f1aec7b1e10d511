"""Before any timing: every app answers every workload correctly and shows the same.

Ours and the baseline render the same templates: their bodies must be the same bytes.
The lean page and Django write their own markup: they must show what ours shows — for
each list page the rows' ids and titles in order (HTML entities unescaped), their done
states, due dates in words ("Today", "Overdue · 2 Dec") and labels (the names their
links lead to), the counter, whether there is a "Show more" link, the csrf-token meta,
the search form, and the Lists navigation: the Inbox, Today and Upcoming, then every
list, each name and count in order, which one is the current page, and the add-list
form; for the Today page the same of its rows (with their list's name) under their
headings; for the toggle and add the returned row, the counter and the navigation's
counts they update (Today's and Upcoming's too when the todo is due).
"""

from __future__ import annotations

import asyncio
import difflib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from bench import seed
from bench.runner import request, sign
from webapp.dates import due_words, upcoming_until

if TYPE_CHECKING:
    from bench.runner import Server
    from bench.seed import SeededUser

PAGE_SIZE = 50
TITLE = "Added <i>new</i> & 'q' \"dq\" — café ✓ #1"

ROW_TAG = re.compile(r'<li\b([^>]*\bid="todo-(\d+)"[^>]*)>')
COMPLETED = re.compile(r'\bclass="[^"]*\bcompleted\b')
TITLE_LABEL = re.compile(r'<label\b[^>]*\bclass="[^"]*\btitle\b[^"]*"[^>]*>(.*?)</label>', re.S)
DUE = re.compile(r'<time\b[^>]*\bclass="due\b[^"]*"[^>]*>(.*?)</time>', re.S)
LABEL_LINK = re.compile(r'<a\b[^>]*\bclass="label"[^>]*\bhref="/labels/([^"]*)"')
IN_LIST = re.compile(r'<a\b[^>]*\bclass="in-list"[^>]*>(.*?)</a>', re.S)
DAY_HEADING = re.compile(r'<h2\b[^>]*\bclass="day-heading"[^>]*>(.*?)</h2>', re.S)
SEARCH_FORM = re.compile(
    r'<form\b[^>]*\brole="search"[^>]*\baction="/search"[^>]*>\s*<input\b[^>]*\bname="q"', re.S
)
COUNTER = re.compile(r"<strong>\s*(\d+)\s*</strong>\s*items?\s+left")
SHOW_MORE = re.compile(r">\s*Show more\s*</a>")
CSRF_META = re.compile(r'<meta\b[^>]*\bname="csrf-token"[^>]*\bcontent="([^"]*)"')
# The Lists navigation: its items, each list's name and count (digits, or nothing when
# nothing is left to do), and the add-list form.
LISTS_NAV = re.compile(r'<nav\b[^>]*\baria-label="Lists"[^>]*>(.*?)</nav>', re.S)
NAV_ITEM = re.compile(r"<li\b.*?</li>", re.S)
LIST_NAME = re.compile(r'<span\b[^>]*\bclass="list-name"[^>]*>(.*?)</span>', re.S)
NAV_COUNT = re.compile(r'<span\b[^>]*\bid="nav-count-([\w-]+)"[^>]*>\s*(\d*)')
CURRENT = re.compile(r'\baria-current="page"')
ADD_LIST_FORM = re.compile(
    r'<form\b[^>]*\baction="/lists(?:\?[^"]*)?"[^>]*>.*?<input\b[^>]*\bname="name"[^>]*>.*?</form>',
    re.S,
)


class CheckFailed(AssertionError):
    pass


@dataclass
class Equivalence:
    """What was compared, for the results file. Keys are `<app>: <response>`."""

    identical: dict[str, bool] = field(default_factory=dict)
    # "bytes" (the same body) or "content" (the same rows, counter, link and meta).
    compared: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    differences: dict[str, str] = field(default_factory=dict)


def shown(body: bytes) -> dict[str, Any]:
    """What a page or fragment shows, independent of its markup."""
    text = body.decode(errors="replace")
    tags = list(ROW_TAG.finditer(text))
    rows = []
    for i, tag in enumerate(tags):
        end = tags[i + 1].start() if i + 1 < len(tags) else len(text)
        label = TITLE_LABEL.search(text, tag.end(), end)
        title = html.unescape(label.group(1)).strip() if label else None
        due = DUE.search(text, tag.end(), end)
        in_list = IN_LIST.search(text, tag.end(), end)
        labels = [
            unquote(html.unescape(m.group(1))) for m in LABEL_LINK.finditer(text[tag.end() : end])
        ]
        rows.append(
            (
                int(tag.group(2)),
                title,
                bool(COMPLETED.search(tag.group(1))),
                html.unescape(due.group(1)).strip() if due else None,
                tuple(labels),
                html.unescape(in_list.group(1)).strip() if in_list else None,
            )
        )
    counter = COUNTER.search(text)
    meta = CSRF_META.search(text)
    nav = LISTS_NAV.search(text)
    return {
        "rows": rows,
        "active": int(counter.group(1)) if counter else None,
        "show_more": bool(SHOW_MORE.search(text)),
        "csrf_meta": meta.group(1) if meta else None,
        "headings": [html.unescape(h).strip() for h in DAY_HEADING.findall(text)],
        "search_form": bool(SEARCH_FORM.search(text)),
        "lists": _lists_shown(nav.group(1)) if nav else None,
        "add_list_form": bool(nav and ADD_LIST_FORM.search(nav.group(1))),
        # Every count in the response, the page's navigation's or a fragment's
        # out-of-band one: which list (its id, "today" or "upcoming") and its number.
        "nav_counts": [(key, int(n or 0)) for key, n in NAV_COUNT.findall(text)],
    }


def _lists_shown(nav: str) -> list[tuple[str | None, str | None, int | None, bool]]:
    """Each list in the navigation: its count's key, name, count and whether it is the
    current page."""
    found = []
    for item in NAV_ITEM.finditer(nav):
        name = LIST_NAME.search(item.group())
        count = NAV_COUNT.search(item.group())
        found.append(
            (
                count.group(1) if count else None,
                html.unescape(name.group(1)).strip() if name else None,
                int(count.group(2) or 0) if count else None,
                bool(CURRENT.search(item.group())),
            )
        )
    return found


def _record(
    result: Equivalence, app: str, name: str, ours: bytes, theirs: bytes, same_bytes: bool
) -> None:
    key = f"{app}: {name}"
    result.sizes.setdefault(name, {"ours": len(ours)})[app] = len(theirs)
    if same_bytes:
        result.compared[key] = "bytes"
        result.identical[key] = ours == theirs
        if ours != theirs:
            diff = difflib.unified_diff(
                ours.decode(errors="replace").splitlines(),
                theirs.decode(errors="replace").splitlines(),
                "ours",
                app,
                lineterm="",
                n=1,
            )
            result.differences[key] = "\n".join(list(diff)[:40])
        return
    result.compared[key] = "content"
    mine, other = shown(ours), shown(theirs)
    # The token is each app's own (Django's is masked afresh per page): there must be one.
    if name.startswith("list page"):
        mine["csrf_meta"] = bool(mine["csrf_meta"])
        other["csrf_meta"] = bool(other["csrf_meta"])
    else:
        mine.pop("csrf_meta")
        other.pop("csrf_meta")
    if name.startswith("add"):
        # New ids differ between the apps; that it is a new row is checked on the way.
        mine["rows"] = [(None, *row[1:]) for row in mine["rows"]]
        other["rows"] = [(None, *row[1:]) for row in other["rows"]]
    result.identical[key] = mine == other
    if mine != other:
        lines = []
        for part in mine:
            if mine[part] != other[part]:
                lines.append(f"{part}: ours {_short(mine[part])}, {app} {_short(other[part])}")
        result.differences[key] = "\n".join(lines)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) < 400 else text[:400] + " ..."


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def today() -> datetime:
    return datetime.now(UTC)


def due_counts(user: SeededUser, inbox_size: int) -> tuple[int, int]:
    """Today's and Upcoming's numbers for a seeded user: the undone todos due by today,
    and those due in the next 14 days (only the Inbox's todos have due dates)."""
    day = today().date()
    due = upcoming = 0
    for i in range(1, inbox_size + 1):
        todo = seed.inbox_todo(i, user.seeded_on)
        if todo.done or todo.due_on is None:
            continue
        if todo.due_on <= day:
            due += 1
        elif todo.due_on <= upcoming_until(day):
            upcoming += 1
    return due, upcoming


def expected_lists(
    user: SeededUser, inbox_size: int, current: str = "inbox"
) -> list[tuple[str | None, str | None, int | None, bool]]:
    """What the navigation must show for a seeded user: the Inbox with its active todos,
    Today and Upcoming with theirs, then the other lists as seeded; `current` is the
    page's ("inbox" or "today")."""
    inbox_active = inbox_size - inbox_size // 3  # every third todo is done
    due, upcoming = due_counts(user, inbox_size)
    shown = [
        (str(user.inbox_id), seed.INBOX, inbox_active, current == "inbox"),
        ("today", "Today", due, current == "today"),
        ("upcoming", "Upcoming", upcoming, False),
    ]
    for list_id, (name, size, all_done) in zip(user.list_ids[1:], seed.OTHER_LISTS, strict=True):
        active = 0 if all_done else size - size // 3
        shown.append((str(list_id), name, active, False))
    return shown


def expected_row(user: SeededUser, i: int) -> tuple[str, bool, str | None, tuple[str, ...]]:
    """The i-th seeded Inbox todo's title, done state, due date in words and labels (by
    name, as ours sorts them)."""
    todo = seed.inbox_todo(i, user.seeded_on)
    due = due_words(todo.due_on, today().date(), todo.done)[0] if todo.due_on else None
    return todo.title, todo.done, due, tuple(sorted(todo.labels))


def _htmx(server: Server, user: SeededUser) -> dict[str, str]:
    credentials = server.credentials[user.name]
    return {
        "Cookie": credentials.cookie,
        "HX-Request": "true",
        "HX-Request-Type": "partial",
        "X-CSRF-Token": credentials.csrf_header,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def check(servers: dict[str, Server], users: dict[str, SeededUser], db_url: str) -> Equivalence:
    """Compare every app with ours; ours must be among `servers`."""
    result = Equivalence()
    ours = servers["ours"]
    others = [s for name, s in servers.items() if name != "ours"]

    for size in seed.LIST_SIZES:
        workload = seed.list_user(size)
        user = users[workload]
        bodies: dict[str, bytes] = {}
        for server in [ours, *others]:
            if not server.runs(workload):
                continue
            cookie = server.credentials[user.name].cookie
            status, _, body = request(server.port, "GET", "/", {"Cookie": cookie})
            _expect(status == 200, f"{server.name}: list page answered {status}")
            page = shown(body)
            rows = len(page["rows"])
            _expect(rows == min(size, PAGE_SIZE), f"{server.name}: {rows} rows for {size}")
            _expect(bool(page["csrf_meta"]), f"{server.name}: no csrf-token meta")
            _expect(all(r[1] for r in page["rows"]), f"{server.name}: a row without a title")
            _expect(page["active"] is not None, f"{server.name}: no counter")
            _expect(
                page["lists"] == expected_lists(user, size),
                f"{server.name}: the Lists navigation shows {page['lists']}",
            )
            _expect(page["add_list_form"], f"{server.name}: no add-list form")
            _expect(page["search_form"], f"{server.name}: no search form")
            seeded = [expected_row(user, i) for i in range(1, len(page["rows"]) + 1)]
            _expect(
                [(r[1], r[2], r[3], r[4]) for r in page["rows"]] == seeded,
                f"{server.name}: rows (title, done, due, labels) {page['rows'][:6]},"
                f" seeded {seeded[:6]}",
            )
            if server.name != "django":
                expected = sign("session", seed.session_id_for(user.token))
                _expect(page["csrf_meta"] == expected, f"{server.name}: wrong CSRF meta")
            bodies[server.name] = body
        for server in others:
            if server.name in bodies:
                _record(
                    result,
                    server.name,
                    f"list page, {size} todos",
                    bodies["ours"],
                    bodies[server.name],
                    same_bytes=server.name == "baseline",
                )

    # The Today page: the undone todos due by today from every list, overdue first.
    user = users[seed.list_user(seed.TODAY_USER_SIZE)]
    day = today().date()
    due = [
        (user.todo_ids[i - 1], i)
        for i in range(1, seed.TODAY_USER_SIZE + 1)
        if (t := seed.inbox_todo(i, user.seeded_on)).due_on is not None
        and not t.done
        and t.due_on <= day
    ]
    due.sort(key=lambda pair: (seed.inbox_todo(pair[1], user.seeded_on).due_on, pair[0]))
    pages: dict[str, bytes] = {}
    for server in [ours, *others]:
        if not server.runs("today"):
            continue
        cookie = server.credentials[user.name].cookie
        status, _, body = request(server.port, "GET", "/today", {"Cookie": cookie})
        _expect(status == 200, f"{server.name}: Today answered {status}")
        page = shown(body)
        expected = [(todo_id, *expected_row(user, i), seed.INBOX) for todo_id, i in due]
        _expect(
            [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in page["rows"]] == expected,
            f"{server.name}: Today shows {page['rows'][:4]}, expected {expected[:4]}",
        )
        _expect(
            page["lists"] == expected_lists(user, seed.TODAY_USER_SIZE, current="today"),
            f"{server.name}: Today's Lists navigation shows {page['lists']}",
        )
        _expect(page["search_form"], f"{server.name}: no search form on Today")
        pages[server.name] = body
    for server in others:
        if server.name in pages:
            _record(
                result,
                server.name,
                "Today page",
                pages["ours"],
                pages[server.name],
                same_bytes=server.name == "baseline",
            )

    # Toggle two todos twice each on each app (they end as they began), one without a
    # due date and one due today; compare each step.
    user = users["toggle"]
    plain, dated = user.todo_ids[1], user.todo_ids[0]
    _expect(seed.inbox_todo(1, user.seeded_on).due_on == user.seeded_on, "todo 1 is not due")
    steps: dict[str, list[bytes]] = {}
    for server in [ours, *others]:
        if not server.runs("toggle"):
            continue
        headers = _htmx(server, user)
        for todo_id in (plain, plain, dated, dated):
            status, _, body = request(
                server.port,
                "POST",
                f"/todos/{todo_id}/toggle",
                headers,
                urlencode({"csrf_token": headers["X-CSRF-Token"]}),
            )
            _expect(status == 200, f"{server.name}: toggle answered {status}")
            fragment = shown(body)
            rows = fragment["rows"]
            _expect(
                [r[0] for r in rows] == [todo_id], f"{server.name}: toggle returned rows {rows}"
            )
            counts = [(str(user.inbox_id), fragment["active"])]
            if todo_id == dated:
                counts += [(k, n) for k, n in fragment["nav_counts"] if k in ("today", "upcoming")]
            _expect(
                fragment["nav_counts"] == counts and len(counts) == (3 if todo_id == dated else 1),
                f"{server.name}: toggle updated the list counts {fragment['nav_counts']}",
            )
            steps.setdefault(server.name, []).append(body)
    for server in others:
        if server.name in steps:
            names = ("done", "undone", "due, done", "due, undone")
            for i, step in enumerate(f"toggle ({name})" for name in names):
                _record(
                    result,
                    server.name,
                    step,
                    steps["ours"][i],
                    steps[server.name][i],
                    same_bytes=server.name == "baseline",
                )

    # Add the same todo on each, from the same starting list; the new ids differ.
    user = users["add"]
    added: dict[str, tuple[bytes, int]] = {}
    for server in [ours, *others]:
        if not server.runs("add"):
            continue
        headers = _htmx(server, user)
        form = urlencode({"csrf_token": headers["X-CSRF-Token"], "title": TITLE, "description": ""})
        status, _, body = request(server.port, "POST", "/todos", headers, form)
        asyncio.run(seed.restore(db_url, users))
        _expect(status == 200, f"{server.name}: add answered {status}")
        fragment = shown(body)
        rows = fragment["rows"]
        _expect(len(rows) == 1, f"{server.name}: add returned rows {rows}")
        _expect(
            fragment["nav_counts"] == [(str(user.inbox_id), fragment["active"])],
            f"{server.name}: add updated the list counts {fragment['nav_counts']}",
        )
        new_id, title, done, due, labels, _ = rows[0]
        _expect(new_id not in user.todo_ids, f"{server.name}: add returned an existing row")
        _expect(
            title == TITLE and not done and due is None and not labels,
            f"{server.name}: add returned {rows[0]}",
        )
        added[server.name] = (body, new_id)

    def without_id(app: str) -> bytes:
        body, new_id = added[app]
        return re.sub(rf"\b{new_id}\b".encode(), b"ID", body)

    for server in others:
        if server.name in added:
            baseline = server.name == "baseline"
            _record(
                result,
                server.name,
                "add (new id replaced)" if baseline else "add",
                without_id("ours") if baseline else added["ours"][0],
                without_id(server.name) if baseline else added[server.name][0],
                same_bytes=baseline,
            )

    # Log in: each app that runs it redirects to the list with a new session cookie.
    user = users["login"]
    anonymous_seed = "bench-anonymous-csrf-seed"
    form = urlencode(
        {
            "email": user.email,
            "password": seed.PASSWORD,
            "csrf_token": sign("anonymous", anonymous_seed),
        }
    )
    headers = {
        "Cookie": f"csrftoken={anonymous_seed}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for server in [ours, *others]:
        if not server.runs("login"):
            continue
        status, response_headers, _ = request(server.port, "POST", "/login", headers, form)
        _expect(status == 303, f"{server.name}: login answered {status}")
        location = response_headers.get("location") or response_headers.get("Location")
        _expect(location == "/", f"{server.name}: login redirected to {location}")
        cookie = response_headers.get("set-cookie") or response_headers.get("Set-Cookie") or ""
        _expect(cookie.startswith("session="), f"{server.name}: no session cookie")
    asyncio.run(seed.restore(db_url, users))
    return result
