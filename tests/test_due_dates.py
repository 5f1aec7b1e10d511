"""Due dates: set on the edit page, shown in words, gathered on Today and Upcoming, in the
person's own time zone."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import add_todo, client_for, fetch, post_form, sign_up
from webapp.dates import day_words, due_words

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

TITLES = re.compile(r'<label class="title"[^>]*>([^<]*)</label>')
DUE = re.compile(r'<time class="due( overdue)?" datetime="([0-9-]+)">([^<]*)</time>')
HEADINGS = re.compile(r'<h2 class="day-heading" id="day-[\w-]+">([^<]*)</h2>')


def titles(page: str) -> list[str]:
    return [html.unescape(title) for title in TITLES.findall(page)]


async def due_dates_in_db(db: AsyncSession) -> list[str | None]:
    """Every todo's due date as stored, as text (SQLite gives text, PostgreSQL dates)."""
    rows = await fetch(db, "SELECT due_on FROM todos ORDER BY id")
    return [None if row.due_on is None else str(row.due_on) for row in rows]


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


async def set_due(client: httpx2.AsyncClient, todo_id: int, title: str, due: date | str) -> None:
    form = {"title": title, "description": "", "due_on": str(due)}
    response = await post_form(client, f"/todos/{todo_id}", form)
    assert response.status_code == 303, response.text


# -- words ------------------------------------------------------------------------------


TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("day", "done", "words", "overdue"),
    [
        (date(2026, 12, 2), False, "Today", False),
        (date(2026, 12, 3), False, "Tomorrow", False),
        (date(2026, 12, 7), False, "Mon 7 Dec", False),
        (date(2027, 1, 4), False, "Mon 4 Jan 2027", False),
        (date(2026, 12, 1), False, "Overdue · 1 Dec", True),
        (date(2025, 12, 1), False, "Overdue · 1 Dec 2025", True),
        # Done, a past date is just a day.
        (date(2026, 12, 1), True, "Yesterday", False),
        (date(2026, 11, 20), True, "Fri 20 Nov", False),
    ],
)
def test_a_due_date_in_words(day: date, done: bool, words: str, overdue: bool) -> None:
    assert due_words(day, TODAY, done) == (words, overdue)


def test_day_words_name_the_day_in_english_whatever_the_locale() -> None:
    assert [day_words(TODAY + timedelta(days=n), TODAY) for n in range(2, 7)] == [
        "Fri 4 Dec",
        "Sat 5 Dec",
        "Sun 6 Dec",
        "Mon 7 Dec",
        "Tue 8 Dec",
    ]


# -- the edit page ------------------------------------------------------------------------


async def test_a_due_date_set_on_the_edit_page_shows_on_the_row(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "report")
    page = (await client.get("/todos/1/edit")).text
    assert '<input id="due_on" name="due_on" type="date" value=""' in page
    today = today_in("UTC")
    await set_due(client, 1, "report", today + timedelta(days=1))
    assert DUE.findall((await client.get("/")).text) == [
        ("", (today + timedelta(days=1)).isoformat(), "Tomorrow")
    ]
    assert await due_dates_in_db(db) == [str(today + timedelta(days=1))]
    await set_due(client, 1, "report", today - timedelta(days=3))
    [(overdue, _, words)] = DUE.findall((await client.get("/")).text)
    assert overdue == " overdue"
    assert words.startswith("Overdue · ")
    # Emptied, there is no due date.
    await set_due(client, 1, "report", "")
    assert DUE.findall((await client.get("/")).text) == []
    assert await due_dates_in_db(db) == [None]


@pytest.mark.parametrize(
    "typed", ["2026-02-30", "tomorrow", "07/12/2026", "2026-12-7", "+2026-12-07", "٢٠٢٦-١٢-٠٧"]
)
async def test_a_due_date_that_is_not_a_date_is_refused_next_to_the_field(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, typed: str
) -> None:
    await add_todo(client, "report")
    form = {"title": "renamed", "description": "", "due_on": typed}
    response = await post_form(client, "/todos/1", form)
    assert response.status_code == 422
    assert (
        '<p id="due_on-error" class="field-error">Please enter a date like 2026-12-07,'
        " or leave it empty.</p>"
    ) in response.text
    assert 'aria-describedby="due_on-error"' in response.text
    assert [row.title for row in await fetch(db, "SELECT title FROM todos")] == ["report"]
    assert await due_dates_in_db(db) == [None]


# -- Today and Upcoming ------------------------------------------------------------------


async def _todos_due(client: httpx2.AsyncClient, today: date) -> None:
    """Todos 1-6 in the Inbox and a list, due on various days; one of them done."""
    for title in ("long overdue", "today's", "done today", "tomorrow's", "in 14 days"):
        await add_todo(client, title)
    response = await post_form(client, "/lists", {"name": "Work"})
    work = int(response.headers["location"].rsplit("/", 1)[1])
    await post_form(client, f"/todos?list={work}", {"title": "work today"})
    for todo_id, title, delta in (
        (1, "long overdue", -30),
        (2, "today's", 0),
        (3, "done today", 0),
        (4, "tomorrow's", 1),
        (5, "in 14 days", 14),
        (6, "work today", 0),
    ):
        await set_due(client, todo_id, title, today + timedelta(days=delta))
    await post_form(client, "/todos/3/toggle")
    # Not due at all, and due after Upcoming's fortnight.
    await add_todo(client, "someday")
    await add_todo(client, "in 15 days")
    await set_due(client, 8, "in 15 days", today + timedelta(days=15))


async def test_today_gathers_undone_todos_due_today_or_before_from_every_list(
    app: Starlette, client: httpx2.AsyncClient, user: Account
) -> None:
    today = today_in("UTC")
    await _todos_due(client, today)
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "bob's today")
        await set_due(bob, 9, "bob's today", today)

    page = (await client.get("/today")).text
    assert "<title>Today · todos</title>" in page
    assert HEADINGS.findall(page) == ["Overdue", "Today"]
    assert titles(page) == ["long overdue", "today's", "work today"]
    assert '<a class="in-list" href="/lists/2" dir="auto">Work</a>' in page
    assert '<a href="/today" aria-current="page">' in page
    # The navigation counts them: Today 3, Upcoming 2.
    assert re.search(r'id="nav-count-today" class="count">3<', page)
    assert re.search(r'id="nav-count-upcoming" class="count">2<', page)


async def test_upcoming_shows_the_next_fourteen_days_by_day(
    client: httpx2.AsyncClient, user: Account
) -> None:
    today = today_in("UTC")
    await _todos_due(client, today)
    page = (await client.get("/upcoming")).text
    assert titles(page) == ["tomorrow's", "in 14 days"]
    assert HEADINGS.findall(page) == ["Tomorrow", day_words(today + timedelta(days=14), today)]


async def test_a_todo_added_on_today_is_due_today_in_the_inbox(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos?view=today", {"title": "now"})
    assert response.status_code == 303
    assert response.headers["location"] == "/today#todo-1"
    rows = await fetch(db, "SELECT lists.is_inbox FROM todos JOIN lists ON lists.id = list_id")
    assert [bool(row.is_inbox) for row in rows] == [True]
    assert await due_dates_in_db(db) == [str(today_in("UTC"))]
    assert titles((await client.get("/today")).text) == ["now"]


async def test_done_on_today_the_row_leaves_and_the_counts_follow(
    client: httpx2.AsyncClient, user: Account
) -> None:
    today = today_in("UTC")
    await _todos_due(client, today)
    response = await post_form(client, "/todos/2/toggle?view=today", htmx=True)
    assert response.status_code == 200
    assert 'id="todo-2"' not in response.text
    assert '<span id="nav-count-today" class="count" data-hx-swap-oob="true">2<' in response.text
    # The Inbox's number too (it had six to do; now five).
    assert '<span id="nav-count-1" class="count" data-hx-swap-oob="true">5<' in response.text
    # Without JavaScript: back to Today, without the row.
    response = await post_form(client, "/todos/6/toggle?view=today")
    assert response.headers["location"] == "/today"
    assert titles((await client.get("/today")).text) == ["long overdue"]


# -- time zones -------------------------------------------------------------------------

# Fourteen hours ahead of UTC and eleven behind: more than a day apart, always.
AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"


async def test_today_is_the_persons_day_in_their_time_zone(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "due on the day ahead")
    await set_due(client, 1, "due on the day ahead", today_in(AHEAD))
    assert today_in(AHEAD) != today_in(BEHIND)

    for zone, shown in ((AHEAD, ["due on the day ahead"]), (BEHIND, [])):
        response = await post_form(client, "/account/time-zone", {"time_zone": zone})
        assert response.status_code == 303
        assert f"Your time zone is now {zone}." in (await client.get("/account")).text
        assert titles((await client.get("/today")).text) == shown
    [(stored,)] = await fetch(db, "SELECT time_zone FROM users")
    assert stored == BEHIND
    # Behind, it is due tomorrow.
    assert DUE.findall((await client.get("/")).text)[0][2] == "Tomorrow"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc ", "../../etc/passwd", "localtime"])
async def test_an_unknown_time_zone_is_refused_on_the_account_page(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, zone: str
) -> None:
    response = await post_form(client, "/account/time-zone", {"time_zone": zone})
    assert response.status_code == 422
    assert "Please choose a time zone from the list." in response.text
    assert [tuple(row) for row in await fetch(db, "SELECT time_zone FROM users")] == [("UTC",)]


@pytest.mark.parametrize(("sent", "kept"), [(AHEAD, AHEAD), ("Nowhere/City", "UTC"), (None, "UTC")])
async def test_sign_up_takes_the_browsers_time_zone(
    client: httpx2.AsyncClient, db: AsyncSession, sent: str | None, kept: str
) -> None:
    form = {"email": "tz@example.com", "password": "correct horse battery"}
    if sent is not None:
        form["time_zone"] = sent
    response = await post_form(client, "/signup", form, token_from="/signup")
    assert response.status_code == 303
    assert [tuple(row) for row in await fetch(db, "SELECT time_zone FROM users")] == [(kept,)]
    page = (await client.get("/account")).text
    assert f"<option selected>{kept}</option>" in page
