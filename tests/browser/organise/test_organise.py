"""Organising todos in a real Chromium, with and without JavaScript: due dates set on the
edit page and shown in words, Today and Upcoming (and their numbers in the navigation),
labels and a label's page, search as you type (and as a plain form), refused dates and
labels, the person's time zone from the browser, the "/" shortcut, axe-core and
screenshots.

Most tests use the package's one account: each starts with an empty Inbox and no other
list, and deletes its lists when it ends, so other tests see the Inbox only. The time
zone tests sign people up in browsers set to a time zone, and delete their accounts
when they end.

"Today" is the person's: the shared account's time zone is read from its account page,
and the expected words are worked out here, not with the app's own functions.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import (
    FAILED_RESOURCE,
    VIEWPORTS,
    RequestLog,
    assert_no_violations,
    assert_same_page,
    csrf_token,
    mark_page,
    row,
    rows,
    shoot,
    titles,
    watch_errors,
)
from tests.browser.organise.helpers import (
    click_and_wait,
)
from tests.helpers import PASSWORD, csrf_token_in

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import APIRequestContext, BrowserContext

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

LIST_PATH = re.compile(r"/lists/(\d+)$")
AT_ROW = re.compile(r"#todo-(\d+)$")
SELECTED_ZONE = re.compile(r"<option selected>([^<]+)</option>")
BAD_DATE = "Please enter a date like 2026-12-07, or leave it empty."
LONG_LABEL = "A label can be at most 50 characters long."
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14: the first place where a day starts
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11: among the last
SEARCH_DELAY_MS = 300  # the search box's debounce (base.html: delay:300ms)

# On Today (and Upcoming) a group's heading hides while its list is empty (the overdue
# group after its last row is ticked; "Today" when nothing is due today).

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- what a person expects to read --


def day_words(day: date, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", else "Mon 7 Dec" (with the year if not this one)."""
    delta = (day - today).days
    if delta in (-1, 0, 1):
        return {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}[delta]
    words = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def overdue_words(day: date, today: date) -> str:
    words = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"Overdue · {words if day.year == today.year else f'{words} {day.year}'}"


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


# -- set-up: no list but the Inbox, before and after each test --


def zone_of(request: APIRequestContext, base_url: str) -> str:
    """The signed-in person's time zone, as their account page has it chosen."""
    match = SELECTED_ZONE.search(request.get(f"{base_url}/account").text())
    assert match, "no time zone chosen on the account page"
    return match.group(1)


@pytest.fixture
def today(page: Page, base_url: str) -> date:
    """The shared account's today, in its time zone."""
    return today_in(zone_of(page.context.request, base_url))


@pytest.fixture
def people(new_page: PageMaker, base_url: str) -> Iterator[Callable[..., Page]]:
    """Signs new people up in browsers of their own (a time zone, JavaScript or not);
    deletes their accounts when the test ends."""
    contexts: list[BrowserContext] = []

    def sign_up_(email: str, **context_options: Any) -> Page:
        context = new_page.browser.new_context(**context_options)
        contexts.append(context)
        new_page.contexts.append(context)
        page = context.new_page()
        new_page.opened.append((page, watch_errors(page)))
        page.goto(f"{base_url}/signup")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign up").click()
        expect(page).to_have_url(f"{base_url}/")
        return page

    yield sign_up_
    for context in contexts:
        token = csrf_token_in(context.request.get(f"{base_url}/account").text())
        response = context.request.post(
            f"{base_url}/account/delete", form={"csrf_token": token, "password": PASSWORD}
        )
        assert response.ok, response.text()


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex}@example.com"


# -- finding things --


def lists_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Lists")


def nav_link(page: Page, name: str) -> Locator:
    exact = re.compile(f"^{re.escape(name)}$")
    return lists_nav(page).locator("a").filter(has=page.locator(".list-name", has_text=exact))


def nav_count(page: Page, which: str | int) -> Locator:
    """The number of todos to do by a navigation link: "today", "upcoming", a list's id,
    or "inbox"."""
    if which == "inbox":
        return nav_link(page, "Inbox").locator("[id^=nav-count-]")
    return lists_nav(page).locator(f"#nav-count-{which}")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def message(page: Page) -> Locator:
    return page.locator("#messages")


def search_box(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Search")


def due(row_: Locator) -> Locator:
    """A row's due date, in words."""
    return row_.locator("time.due")


def label_links(row_: Locator) -> Locator:
    return row_.locator("a.label")


def group(page: Page, name: str) -> Locator:
    """The rows under a day's heading on Today or Upcoming ("Overdue", "Today", ...)."""
    return page.get_by_role("list", name=name, exact=True).locator(":scope > li label.title")


def day_headings(page: Page) -> Locator:
    return page.locator("h2.day-heading:visible")


def empty_note(page: Page) -> Locator:
    return page.locator("p.empty-across")


# -- doing things as a person would --


def add_list(page: Page, name: str) -> int:
    page.get_by_label("List name").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Add list").click()
    match = LIST_PATH.search(page.url)
    assert match, f"not a list's page: {page.url}"
    return int(match.group(1))


def add_todo(page: Page, base_url: str, title: str, list_id: int | None = None) -> int:
    """Add a todo with the plain form's request (quicker than typing); returns its id."""
    query = f"?list={list_id}" if list_id is not None else ""
    response = page.request.post(
        f"{base_url}/todos{query}",
        form={"title": title, "csrf_token": csrf_token(page)},
        max_redirects=0,
    )
    assert response.status == 303, response.text()
    match = AT_ROW.search(response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def set_fields(
    page: Page,
    base_url: str,
    todo_id: int,
    title: str,
    *,
    due_on: date | None = None,
    labels: str = "",
    list_id: int | None = None,
) -> None:
    """Save the edit page's form with a request, as the page would post it."""
    form: dict[str, str | float | bool] = {
        "title": title,
        "description": "",
        "due_on": due_on.isoformat() if due_on else "",
        "labels": labels,
        "csrf_token": csrf_token(page),
    }
    if list_id is not None:
        form["list"] = str(list_id)
    response = page.request.post(f"{base_url}/todos/{todo_id}", form=form, max_redirects=0)
    assert response.status == 303, response.text()


def open_edit_page(page: Page, title: str) -> None:
    click_and_wait(page, page.get_by_role("link", name=f"Edit “{title}”"))
    expect(page.get_by_role("heading", name="Edit todo")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(title)


def save(page: Page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Save"))


def add_plain(page: Page, title: str) -> None:
    """Add a todo without JavaScript: the form posts, the page comes back."""
    page.locator("input.new-todo").fill(title)
    with page.expect_navigation():
        page.locator("input.new-todo").press("Enter")
    expect(row(page, title)).to_have_count(1)


def fill_days(page: Page, base_url: str, today: date) -> int:
    """Todos due on several days in the Inbox and in "Work", and some that no day shows;
    ends on the Inbox. Returns Work's id.

    Today: "Overdue report" (2 days ago, Work) and "Pay rent" (today, Inbox).
    Upcoming: "Call the bank" (tomorrow), "Team lunch" (in 3 days, Work), "Renew
    passport" (in 14 days, the last day Upcoming holds).
    Neither: "Plan holiday" (in 15 days), "Someday" (no date), "Done already" (today,
    but done).
    """
    work = add_list(page, "Work")
    page.goto(f"{base_url}/")
    days = [
        ("Overdue report", -2, work),
        ("Pay rent", 0, None),
        ("Call the bank", 1, None),
        ("Team lunch", 3, work),
        ("Renew passport", 14, None),
        ("Plan holiday", 15, work),
        ("Done already", 0, None),
    ]
    ids = {}
    for title, offset, list_id in days:
        ids[title] = add_todo(page, base_url, title, list_id)
        set_fields(page, base_url, ids[title], title, due_on=today + timedelta(days=offset))
    add_todo(page, base_url, "Someday")
    response = page.request.post(
        f"{base_url}/todos/{ids['Done already']}/toggle",
        form={"csrf_token": csrf_token(page)},
        max_redirects=0,
    )
    assert response.status == 303, response.text()
    page.goto(f"{base_url}/")
    return work


# -- due dates, with JavaScript --


def test_a_due_date_set_on_the_edit_page_shows_in_words_on_the_row(
    page: Page, base_url: str, today: date
) -> None:
    for title in ("Pay rent", "Call the bank", "Team lunch", "Old bill", "Someday"):
        add_todo(page, base_url, title)
    page.goto(f"{base_url}/")
    days = {
        "Pay rent": today,
        "Call the bank": today + timedelta(days=1),
        "Team lunch": today + timedelta(days=5),
        "Old bill": today - timedelta(days=2),
    }
    for title, day in days.items():
        open_edit_page(page, title)
        expect(page.get_by_label("Due date")).to_have_value("")
        page.get_by_label("Due date").fill(day.isoformat())
        save(page)
        expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"#todo-\d+$"))
        expect(message(page)).to_have_text(f"Saved “{title}”.")

    expect(due(row(page, "Pay rent"))).to_have_text("Today")
    expect(due(row(page, "Call the bank"))).to_have_text("Tomorrow")
    expect(due(row(page, "Team lunch"))).to_have_text(day_words(days["Team lunch"], today))
    expect(due(row(page, "Old bill"))).to_have_text(overdue_words(days["Old bill"], today))
    expect(due(row(page, "Someday"))).to_have_count(0)
    for title, day in days.items():
        expect(due(row(page, title))).to_have_attribute("datetime", day.isoformat())
    # Overdue in red (the theme's danger colour), the others not.
    expect(due(row(page, "Old bill"))).to_have_class(re.compile(r"\boverdue\b"))
    expect(due(row(page, "Pay rent"))).not_to_have_class(re.compile(r"\boverdue\b"))
    red = due(row(page, "Old bill")).evaluate("el => getComputedStyle(el).color")
    plain_colour = due(row(page, "Pay rent")).evaluate("el => getComputedStyle(el).color")
    assert red != plain_colour
    r, g, b = (int(n) for n in re.findall(r"\d+", red)[:3])
    assert r > g + 60, f"the overdue date is {red}, not red"
    assert r > b + 60, f"the overdue date is {red}, not red"

    # The edit page shows the date back; emptying it removes it.
    open_edit_page(page, "Team lunch")
    expect(page.get_by_label("Due date")).to_have_value(days["Team lunch"].isoformat())
    page.get_by_label("Due date").fill("")
    save(page)
    expect(due(row(page, "Team lunch"))).to_have_count(0)

    # Done, an overdue todo is no longer overdue: its date, not in red.
    row(page, "Old bill").locator("input.toggle").check()
    expect(due(row(page, "Old bill"))).to_have_text(day_words(days["Old bill"], today))
    expect(due(row(page, "Old bill"))).not_to_have_class(re.compile(r"\boverdue\b"))


def test_today_and_upcoming_gather_due_todos_from_every_list(
    page: Page, base_url: str, today: date
) -> None:
    work = fill_days(page, base_url, today)
    expect(nav_count(page, "today")).to_have_text("2 to do")
    expect(nav_count(page, "upcoming")).to_have_text("3 to do")
    expect(nav_count(page, "inbox")).to_have_text("4 to do")
    expect(nav_count(page, work)).to_have_text("3 to do")

    click_and_wait(page, nav_link(page, "Today"))
    expect(page).to_have_url(f"{base_url}/today")
    expect(page).to_have_title("Today · todos")
    expect(heading(page)).to_have_text("Today")
    expect(nav_link(page, "Today")).to_have_attribute("aria-current", "page")
    expect(nav_link(page, "Inbox")).not_to_have_attribute("aria-current", "page")
    expect(day_headings(page)).to_have_text(["Overdue", "Today"])
    expect(group(page, "Overdue")).to_have_text(["Overdue report"])
    expect(group(page, "Today")).to_have_text(["Pay rent"])
    overdue = row(page, "Overdue report")
    expect(due(overdue)).to_have_text(overdue_words(today - timedelta(days=2), today))
    # Each row says which list it is in, as a link to it.
    expect(overdue.locator("a.in-list")).to_have_text("Work")
    expect(overdue.locator("a.in-list")).to_have_attribute("href", f"/lists/{work}")
    expect(row(page, "Pay rent").locator("a.in-list")).to_have_text("Inbox")
    expect(empty_note(page)).to_be_hidden()

    click_and_wait(page, nav_link(page, "Upcoming"))
    expect(page).to_have_url(f"{base_url}/upcoming")
    expect(page).to_have_title("Upcoming · todos")
    expect(heading(page)).to_have_text("Upcoming")
    expect(nav_link(page, "Upcoming")).to_have_attribute("aria-current", "page")
    in_3, in_14 = today + timedelta(days=3), today + timedelta(days=14)
    expect(day_headings(page)).to_have_text(
        ["Tomorrow", day_words(in_3, today), day_words(in_14, today)]
    )
    expect(group(page, "Tomorrow")).to_have_text(["Call the bank"])
    expect(group(page, day_words(in_3, today))).to_have_text(["Team lunch"])
    expect(group(page, day_words(in_14, today))).to_have_text(["Renew passport"])
    expect(titles(page)).to_have_text(["Call the bank", "Team lunch", "Renew passport"])

    # An empty Today says so.
    for title in ("Overdue report", "Pay rent"):
        page.goto(f"{base_url}/today")
        # click(), not check(): the row leaves, and check() would wait for it to be ticked.
        row(page, title).locator("input.toggle").click()
        expect(row(page, title)).to_have_count(0)
    page.reload()
    expect(rows(page)).to_have_count(0)
    # No heading above nothing: just "Nothing left for today."
    expect(day_headings(page)).to_have_count(0)
    expect(empty_note(page)).to_have_text("Nothing left for today.")
    expect(nav_count(page, "today")).to_have_text("")


def test_ticking_a_todo_on_today_removes_its_row_and_updates_the_counts(
    page: Page, base_url: str, today: date
) -> None:
    work = fill_days(page, base_url, today)
    page.goto(f"{base_url}/today")
    mark_page(page)
    posts = RequestLog(page, "POST", r"/todos/\d+/toggle")

    row(page, "Overdue report").locator("input.toggle").click()
    expect(row(page, "Overdue report")).to_have_count(0)
    expect(nav_count(page, "today")).to_have_text("1 to do")
    expect(nav_count(page, work)).to_have_text("2 to do")
    expect(nav_count(page, "inbox")).to_have_text("4 to do")
    expect(nav_count(page, "upcoming")).to_have_text("3 to do")
    # The overdue group lost its only row: its heading goes with it.
    expect(day_headings(page)).to_have_text(["Today"])
    expect(titles(page)).to_have_text(["Pay rent"])

    row(page, "Pay rent").locator("input.toggle").click()
    expect(rows(page)).to_have_count(0)
    expect(nav_count(page, "today")).to_have_text("")
    expect(nav_count(page, "inbox")).to_have_text("3 to do")
    expect(empty_note(page)).to_have_text("Nothing left for today.")
    expect(empty_note(page)).to_be_visible()
    expect(day_headings(page)).to_have_count(0)
    assert len(posts) == 2, posts.seen
    assert_same_page(page)

    page.reload()
    expect(rows(page)).to_have_count(0)
    expect(nav_count(page, "today")).to_have_text("")
    expect(nav_count(page, work)).to_have_text("2 to do")
    expect(day_headings(page)).to_have_count(0)

    # On Upcoming too: ticked, a row leaves, and the numbers follow.
    click_and_wait(page, nav_link(page, "Upcoming"))
    mark_page(page)
    row(page, "Team lunch").locator("input.toggle").click()
    expect(row(page, "Team lunch")).to_have_count(0)
    expect(titles(page)).to_have_text(["Call the bank", "Renew passport"])
    # The emptied day's heading goes.
    expect(day_headings(page)).to_have_count(2)
    expect(nav_count(page, "upcoming")).to_have_text("2 to do")
    expect(nav_count(page, work)).to_have_text("1 to do")
    expect(nav_count(page, "today")).to_have_text("")
    assert_same_page(page)
    click_and_wait(page, nav_link(page, "Work"))
    expect(row(page, "Overdue report")).to_have_class(re.compile(r"\bcompleted\b"))


def test_adding_on_today_adds_to_the_inbox_due_today(
    page: Page, base_url: str, today: date
) -> None:
    page.goto(f"{base_url}/today")
    expect(empty_note(page)).to_be_visible()
    expect(page.locator("input.new-todo")).to_be_focused()
    mark_page(page)
    page.locator("input.new-todo").fill("Water the plants")
    page.locator("input.new-todo").press("Enter")
    expect(group(page, "Today")).to_have_text(["Water the plants"])
    new_row = row(page, "Water the plants")
    expect(due(new_row)).to_have_text("Today")
    expect(due(new_row)).to_have_attribute("datetime", today.isoformat())
    # Like every row on Today, it names its list.
    expect(new_row.locator("a.in-list")).to_have_text("Inbox")
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(page.locator("input.new-todo")).to_be_focused()
    expect(empty_note(page)).to_be_hidden()
    expect(nav_count(page, "today")).to_have_text("1 to do")
    expect(nav_count(page, "inbox")).to_have_text("1 to do")
    expect(nav_count(page, "upcoming")).to_have_text("")
    assert_same_page(page)

    page.locator("input.new-todo").fill("Feed the cat")
    page.locator("input.new-todo").press("Enter")
    expect(group(page, "Today")).to_have_text(["Water the plants", "Feed the cat"])
    expect(nav_count(page, "today")).to_have_text("2 to do")

    page.reload()
    expect(group(page, "Today")).to_have_text(["Water the plants", "Feed the cat"])
    expect(row(page, "Water the plants").locator("a.in-list")).to_have_text("Inbox")
    click_and_wait(page, nav_link(page, "Inbox"))
    expect(titles(page)).to_have_text(["Water the plants", "Feed the cat"])
    expect(due(row(page, "Feed the cat"))).to_have_text("Today")


# -- labels, with JavaScript --


def test_labels_set_on_the_edit_page_are_links_to_the_label_page(page: Page, base_url: str) -> None:
    work = add_list(page, "Work")
    add_todo(page, base_url, "Print slides", work)
    page.goto(f"{base_url}/")
    add_todo(page, base_url, "Buy stamps")
    add_todo(page, base_url, "Unlabelled")
    page.goto(f"{base_url}/")

    open_edit_page(page, "Buy stamps")
    expect(page.get_by_label("Labels")).to_have_value("")
    page.get_by_label("Labels").fill(" errands,  big   shop ,, errands ")
    save(page)
    expect(message(page)).to_have_text("Saved “Buy stamps”.")
    stamps = row(page, "Buy stamps")
    # Trimmed, inner spaces made single, empty ones and repeats dropped; by name.
    expect(label_links(stamps)).to_have_text(["#big shop", "#errands"])
    expect(stamps.get_by_role("link", name="errands", exact=True)).to_have_attribute(
        "href", "/labels/errands"
    )
    expect(stamps.get_by_role("link", name="big shop", exact=True)).to_have_attribute(
        "href", "/labels/big%20shop"
    )
    expect(label_links(row(page, "Unlabelled"))).to_have_count(0)
    open_edit_page(page, "Buy stamps")
    expect(page.get_by_label("Labels")).to_have_value("big shop, errands")
    click_and_wait(page, page.get_by_role("link", name="Cancel"))

    click_and_wait(page, nav_link(page, "Work"))
    open_edit_page(page, "Print slides")
    page.get_by_label("Labels").fill("errands")
    save(page)
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/lists/{work}") + r"#todo-\d+$"))
    expect(label_links(row(page, "Print slides"))).to_have_text(["#errands"])

    click_and_wait(page, row(page, "Print slides").get_by_role("link", name="errands"))
    expect(page).to_have_url(f"{base_url}/labels/errands")
    expect(page).to_have_title("Label: errands · todos")
    expect(heading(page)).to_have_text("#errands")
    expect(page.get_by_role("heading", level=1, name="errands", exact=True)).to_be_visible()
    # The still-to-do first, then the newest.
    expect(titles(page)).to_have_text(["Buy stamps", "Print slides"])
    expect(row(page, "Buy stamps").locator("a.in-list")).to_have_text("Inbox")
    expect(row(page, "Print slides").locator("a.in-list")).to_have_text("Work")

    click_and_wait(page, row(page, "Buy stamps").get_by_role("link", name="big shop"))
    expect(page).to_have_url(f"{base_url}/labels/big%20shop")
    expect(heading(page)).to_have_text("#big shop")
    expect(titles(page)).to_have_text(["Buy stamps"])

    # Taking the label off on its page: the row leaves it.
    open_edit_page(page, "Buy stamps")
    page.get_by_label("Labels").fill("errands")
    save(page)
    # Back on the label's page, not at the row it no longer shows.
    expect(page).to_have_url(f"{base_url}/labels/big%20shop")
    expect(rows(page)).to_have_count(0)
    expect(empty_note(page)).to_have_text("No todos with this label.")


def test_a_bad_due_date_and_a_long_label_are_refused_next_to_their_fields(
    page: Page, new_page: PageMaker, base_url: str, today: date
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the refused forms' 422 pages
    add_todo(page, base_url, "Tax return")
    page.goto(f"{base_url}/")
    open_edit_page(page, "Tax return")
    date_input = page.get_by_label("Due date")
    expect(date_input).to_have_attribute("type", "date")

    # Chromium's date input holds only real dates: an impossible one leaves it empty (and
    # typing goes into its day, month and year parts, which take only numbers). To send
    # what a browser showing a text field could, the test makes the input a text field.
    date_input.fill("2026-02-30")
    expect(date_input).to_have_value("")
    date_input.evaluate("el => { el.type = 'text'; }")
    date_input.fill("2026-02-30")
    save(page)
    expect(page.locator("#due_on-error")).to_have_text(BAD_DATE)
    expect(date_input).to_have_attribute("aria-invalid", "true")
    expect(date_input).to_have_attribute("aria-describedby", "due_on-error")
    expect(date_input).to_be_focused()
    # What was typed comes back, in a text field, to correct.
    expect(date_input).to_have_attribute("type", "text")
    expect(date_input).to_have_value("2026-02-30")
    expect(page.get_by_label("Title")).to_have_value("Tax return")
    assert_no_violations(page, "the edit page with a refused due date")

    # Corrected, but a label of 51 characters: refused next to its field; nothing saved.
    next_week = today + timedelta(days=7)
    long_label = "x" * 51
    date_input.fill(next_week.isoformat())
    page.get_by_label("Labels").fill(f"home, {long_label}")
    save(page)
    labels = page.get_by_label("Labels")
    expect(page.locator("#labels-error")).to_have_text(LONG_LABEL)
    expect(labels).to_have_attribute("aria-invalid", "true")
    expect(labels).to_have_attribute("aria-describedby", "labels-error")
    expect(labels).to_be_focused()
    expect(labels).to_have_value(f"home, {long_label}")
    expect(page.locator("#due_on-error")).to_have_count(0)
    expect(date_input).not_to_have_attribute("aria-invalid", "true")
    # A good date comes back as a date input, holding it.
    expect(date_input).to_have_attribute("type", "date")
    expect(date_input).to_have_value(next_week.isoformat())
    assert_no_violations(page, "the edit page with a refused label")
    page.goto(f"{base_url}/")
    expect(due(row(page, "Tax return"))).to_have_count(0)
    expect(label_links(row(page, "Tax return"))).to_have_count(0)

    # 50 characters is fine.
    open_edit_page(page, "Tax return")
    date_input.fill(next_week.isoformat())
    labels.fill(f"home, {long_label[:50]}")
    save(page)
    expect(message(page)).to_have_text("Saved “Tax return”.")
    expect(label_links(row(page, "Tax return"))).to_have_text(["#home", f"#{long_label[:50]}"])
    expect(due(row(page, "Tax return"))).to_have_text(day_words(next_week, today))


# -- search, with JavaScript --


def test_search_as_you_type_reloads_and_goes_back(page: Page, base_url: str) -> None:
    work = add_list(page, "Work")
    add_todo(page, base_url, "Buy oat milk")
    add_todo(page, base_url, "Bread")
    add_todo(page, base_url, "Milk the goat", work)
    page.goto(f"{base_url}/")
    expect(titles(page)).to_have_text(["Buy oat milk", "Bread"])
    mark_page(page)
    searches = RequestLog(page, "GET", r"/search")

    box = search_box(page)
    box.click()
    # Typed quickly (50 ms a key, within the 300 ms pause): one search, for the word.
    box.press_sequentially("milk", delay=50)
    expect(page).to_have_url(f"{base_url}/search?q=milk")
    expect(heading(page)).to_have_text("Search")
    # The still-to-do first, then the newest.
    expect(titles(page)).to_have_text(["Milk the goat", "Buy oat milk"])
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text(
        "2 found for “milk”, in titles and descriptions, from every list."
    )
    expect(row(page, "Milk the goat").locator("a.in-list")).to_have_text("Work")
    page.wait_for_timeout(SEARCH_DELAY_MS + 200)
    assert searches.seen == ["/search?q=milk"], searches.seen
    assert_same_page(page)
    expect(box).to_be_focused()
    expect(box).to_have_value("milk")

    # More words narrow it down.
    box.press_sequentially(" goat", delay=50)
    expect(page).to_have_url(f"{base_url}/search?q=milk+goat")
    expect(titles(page)).to_have_text(["Milk the goat"])
    page.wait_for_timeout(SEARCH_DELAY_MS + 200)
    assert searches.seen == ["/search?q=milk", "/search?q=milk+goat"], searches.seen

    # Reloading shows the same search, with its words in the box.
    page.reload()
    expect(page).to_have_url(f"{base_url}/search?q=milk+goat")
    expect(page).to_have_title("“milk goat” · Search · todos")
    expect(search_box(page)).to_have_value("milk goat")
    expect(titles(page)).to_have_text(["Milk the goat"])

    # Nothing found says so; Back returns to the page before, step by step.
    search_box(page).fill("zebra")
    expect(page).to_have_url(f"{base_url}/search?q=zebra")
    expect(empty_note(page)).to_have_text("No todos found.")
    expect(rows(page)).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(f"{base_url}/search?q=milk+goat")
    expect(titles(page)).to_have_text(["Milk the goat"])
    expect(search_box(page)).to_have_value("milk goat")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/search?q=milk")
    expect(titles(page)).to_have_text(["Milk the goat", "Buy oat milk"])
    expect(search_box(page)).to_have_value("milk")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/")
    expect(heading(page)).to_have_text("todos")
    expect(titles(page)).to_have_text(["Buy oat milk", "Bread"])
    expect(search_box(page)).to_have_value("")


def test_a_row_ticked_on_a_search_or_a_label_page_stays_there(page: Page, base_url: str) -> None:
    milk = add_todo(page, base_url, "Buy oat milk")
    set_fields(page, base_url, milk, "Buy oat milk", labels="dairy")
    add_todo(page, base_url, "Bread")
    page.goto(f"{base_url}/search?q=milk")
    found = row(page, "Buy oat milk")
    expect(titles(page)).to_have_text(["Buy oat milk"])
    expect(found.locator("a.in-list")).to_have_text("Inbox")
    expect(label_links(found)).to_have_text(["#dairy"])
    mark_page(page)
    found.locator("input.toggle").check()
    # Found, it stays until the next search: done now.
    expect(found).to_have_class(re.compile(r"\bcompleted\b"))
    expect(nav_count(page, "inbox")).to_have_text("1 to do")
    expect(label_links(found)).to_have_text(["#dairy"])
    # Ticked, the row still names its list.
    expect(found.locator("a.in-list")).to_have_text("Inbox")
    assert_same_page(page)
    page.reload()
    expect(found.locator("a.in-list")).to_have_text("Inbox")

    # The same on the label's page.
    page.goto(f"{base_url}/labels/dairy")
    expect(found.locator("a.in-list")).to_have_text("Inbox")
    mark_page(page)
    found.locator("input.toggle").uncheck()
    expect(found).not_to_have_class(re.compile(r"\bcompleted\b"))
    expect(nav_count(page, "inbox")).to_have_text("2 to do")
    expect(label_links(found)).to_have_text(["#dairy"])
    expect(found.locator("a.in-list")).to_have_text("Inbox")
    assert_same_page(page)


def test_slash_focuses_the_search_box(page: Page, base_url: str) -> None:
    add_todo(page, base_url, "Buy oat milk")
    page.goto(f"{base_url}/today")
    new_todo = page.locator("input.new-todo")
    expect(new_todo).to_be_focused()
    # In a field that takes text, "/" is text.
    page.keyboard.press("/")
    expect(new_todo).to_have_value("/")
    new_todo.fill("")
    new_todo.blur()
    page.keyboard.press("/")
    expect(search_box(page)).to_be_focused()
    expect(search_box(page)).to_have_value("")
    page.keyboard.type("oat")
    expect(page).to_have_url(f"{base_url}/search?q=oat")
    expect(titles(page)).to_have_text(["Buy oat milk"])


# -- the person's time zone --


def test_sign_up_takes_the_browsers_time_zone_and_today_is_theirs(
    people: Callable[..., Page], base_url: str
) -> None:
    kiritimati_today = today_in(KIRITIMATI)
    pago_pago_today = today_in(PAGO_PAGO)
    # 25 hours apart: Kiritimati is a day ahead, or two in one hour of the day.
    gap = (kiritimati_today - pago_pago_today).days
    assert gap in (1, 2)

    early = people(unique_email("kiritimati"), timezone_id=KIRITIMATI)
    early.goto(f"{base_url}/account")
    expect(early.get_by_role("combobox", name="Time zone")).to_have_value(KIRITIMATI)
    expect(early.get_by_role("combobox", name="Time zone").locator("option:checked")).to_have_text(
        KIRITIMATI
    )
    early.goto(f"{base_url}/today")
    early.locator("input.new-todo").fill("Watch the first sunrise")
    early.locator("input.new-todo").press("Enter")
    expect(group(early, "Today")).to_have_text(["Watch the first sunrise"])
    expect(nav_count(early, "today")).to_have_text("1 to do")
    open_edit_page(early, "Watch the first sunrise")
    expect(early.get_by_label("Due date")).to_have_value(kiritimati_today.isoformat())

    late = people(unique_email("pago-pago"), timezone_id=PAGO_PAGO)
    late.goto(f"{base_url}/account")
    expect(late.get_by_role("combobox", name="Time zone")).to_have_value(PAGO_PAGO)
    late.goto(f"{base_url}/")
    late.locator("input.new-todo").fill("Watch the last sunset")
    late.locator("input.new-todo").press("Enter")
    expect(row(late, "Watch the last sunset")).to_have_count(1)
    open_edit_page(late, "Watch the last sunset")
    late.get_by_label("Due date").fill(kiritimati_today.isoformat())
    save(late)
    # The same date, Kiritimati's today, is still to come in Pago Pago.
    expected = "Tomorrow" if gap == 1 else day_words(kiritimati_today, pago_pago_today)
    expect(due(row(late, "Watch the last sunset"))).to_have_text(expected)
    expect(nav_count(late, "today")).to_have_text("")
    expect(nav_count(late, "upcoming")).to_have_text("1 to do")
    click_and_wait(late, nav_link(late, "Today"))
    expect(rows(late)).to_have_count(0)
    expect(empty_note(late)).to_have_text("Nothing left for today.")
    click_and_wait(late, nav_link(late, "Upcoming"))
    expect(day_headings(late)).to_have_text([expected])
    expect(titles(late)).to_have_text(["Watch the last sunset"])

    # Each sees only their own.
    early.goto(f"{base_url}/today")
    expect(titles(early)).to_have_text(["Watch the first sunrise"])


def test_without_javascript_sign_up_starts_on_utc_and_the_account_page_changes_it(
    people: Callable[..., Page], base_url: str
) -> None:
    page = people(unique_email("no-js"), timezone_id=KIRITIMATI, java_script_enabled=False)
    page.goto(f"{base_url}/account")
    zone = page.get_by_role("combobox", name="Time zone")
    expect(zone).to_have_value("UTC")
    zone.select_option(KIRITIMATI)
    click_and_wait(page, page.get_by_role("button", name="Save time zone"))
    expect(page).to_have_url(f"{base_url}/account")
    expect(message(page)).to_have_text(f"Your time zone is now {KIRITIMATI}.")
    expect(zone).to_have_value(KIRITIMATI)

    page.goto(f"{base_url}/today")
    add_plain(page, "Kiritimati's day")
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/today") + r"(#todo-\d+)?$"))
    open_edit_page(page, "Kiritimati's day")
    expect(page.get_by_label("Due date")).to_have_value(today_in(KIRITIMATI).isoformat())


# -- without JavaScript --


def test_without_javascript_due_dates_labels_today_and_upcoming(plain: Page, base_url: str) -> None:
    page = plain
    today = today_in(zone_of(page.context.request, base_url))
    add_plain(page, "Pay rent")
    add_plain(page, "Call the bank")

    open_edit_page(page, "Pay rent")
    page.get_by_label("Due date").fill(today.isoformat())
    page.get_by_label("Labels").fill("home, money")
    save(page)
    expect(message(page)).to_have_text("Saved “Pay rent”.")
    expect(due(row(page, "Pay rent"))).to_have_text("Today")
    expect(label_links(row(page, "Pay rent"))).to_have_text(["#home", "#money"])

    open_edit_page(page, "Call the bank")
    page.get_by_label("Due date").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("Labels").fill("money")
    save(page)
    expect(due(row(page, "Call the bank"))).to_have_text("Tomorrow")
    expect(nav_count(page, "today")).to_have_text("1 to do")
    expect(nav_count(page, "upcoming")).to_have_text("1 to do")

    click_and_wait(page, row(page, "Call the bank").get_by_role("link", name="money"))
    expect(page).to_have_url(f"{base_url}/labels/money")
    expect(titles(page)).to_have_text(["Call the bank", "Pay rent"])  # the newest first

    click_and_wait(page, nav_link(page, "Upcoming"))
    expect(day_headings(page)).to_have_text(["Tomorrow"])
    expect(titles(page)).to_have_text(["Call the bank"])

    click_and_wait(page, nav_link(page, "Today"))
    expect(day_headings(page)).to_have_text(["Today"])
    expect(titles(page)).to_have_text(["Pay rent"])

    # Added here: in the Inbox, due today.
    add_plain(page, "Water the plants")
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/today") + r"#todo-\d+$"))
    expect(titles(page)).to_have_text(["Pay rent", "Water the plants"])
    expect(due(row(page, "Water the plants"))).to_have_text("Today")
    expect(row(page, "Water the plants").locator("a.in-list")).to_have_text("Inbox")
    expect(nav_count(page, "today")).to_have_text("2 to do")
    expect(nav_count(page, "inbox")).to_have_text("3 to do")

    # Done here: back on Today, without it, the numbers one less.
    click_and_wait(page, row(page, "Pay rent").get_by_role("button", name="Done", exact=True))
    expect(page).to_have_url(f"{base_url}/today")
    expect(titles(page)).to_have_text(["Water the plants"])
    expect(nav_count(page, "today")).to_have_text("1 to do")
    expect(nav_count(page, "inbox")).to_have_text("2 to do")


def test_without_javascript_a_bad_due_date_and_a_long_label(
    plain: Page, new_page: PageMaker, base_url: str
) -> None:
    """Without page scripts the date input is still Chromium's: the test makes it a text
    field through Playwright (which works with page scripts off), as in the test with
    JavaScript."""
    new_page.allow_errors(FAILED_RESOURCE)  # the refused forms' 422 pages
    page = plain
    add_plain(page, "Tax return")
    open_edit_page(page, "Tax return")
    page.get_by_label("Due date").evaluate("el => { el.type = 'text'; }")
    page.get_by_label("Due date").fill("7 Dec")
    page.get_by_label("Labels").fill("y" * 51)
    save(page)
    # Both refused, each next to its field; the first one's field has the focus.
    expect(page.locator("#due_on-error")).to_have_text(BAD_DATE)
    expect(page.locator("#labels-error")).to_have_text(LONG_LABEL)
    expect(page.get_by_label("Due date")).to_have_attribute("aria-describedby", "due_on-error")
    expect(page.get_by_label("Labels")).to_have_attribute("aria-describedby", "labels-error")
    expect(page.get_by_label("Due date")).to_be_focused()
    expect(page.get_by_label("Due date")).to_have_attribute("type", "text")
    expect(page.get_by_label("Due date")).to_have_value("7 Dec")
    expect(page.get_by_label("Labels")).to_have_value("y" * 51)
    click_and_wait(page, page.get_by_role("link", name="Cancel"))
    expect(due(row(page, "Tax return"))).to_have_count(0)
    expect(label_links(row(page, "Tax return"))).to_have_count(0)


def test_without_javascript_search_with_enter(plain: Page, base_url: str) -> None:
    page = plain
    add_plain(page, "Buy oat milk")
    add_plain(page, "Bread")
    box = search_box(page)
    box.fill("milk")
    page.wait_for_timeout(SEARCH_DELAY_MS + 200)
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"(#todo-\d+)?$"))
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(f"{base_url}/search?q=milk")
    expect(page).to_have_title("“milk” · Search · todos")
    expect(search_box(page)).to_have_value("milk")
    expect(titles(page)).to_have_text(["Buy oat milk"])
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text(
        "1 found for “milk”, in titles and descriptions, from every list."
    )

    # Done from the results: back on them.
    click_and_wait(page, row(page, "Buy oat milk").get_by_role("button", name="Done", exact=True))
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/search?q=milk") + r"(#todo-\d+)?$"))
    expect(row(page, "Buy oat milk")).to_have_class(re.compile(r"\bcompleted\b"))

    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"(#todo-\d+)?$"))
    expect(titles(page)).to_have_text(["Buy oat milk", "Bread"])


# -- axe-core and screenshots --


def fill_for_pictures(page: Page, base_url: str, today: date) -> None:
    """Todos due on several days, in lists, with labels; ends on the Inbox."""
    work = add_list(page, "Work")
    page.goto(f"{base_url}/")
    todos = [
        ("Send the quarterly report", -3, work, "work, urgent"),
        ("Pay rent", 0, None, "home, money"),
        ("Buy oat milk and coffee beans, the dark roast", 0, None, "errands"),
        ("Call the bank about the new card", 1, None, "money"),
        ("Team lunch", 4, work, "work"),
    ]
    for title, offset, list_id, labels in todos:
        todo_id = add_todo(page, base_url, title, list_id)
        set_fields(
            page, base_url, todo_id, title, due_on=today + timedelta(days=offset), labels=labels
        )
    add_todo(page, base_url, "Milk the goat")
    page.goto(f"{base_url}/")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_today_upcoming_a_label_and_a_search(
    open_page: Callable[..., Page], base_url: str, scheme: str
) -> None:
    page = open_page(color_scheme=scheme)
    today = today_in(zone_of(page.context.request, base_url))
    fill_for_pictures(page, base_url, today)
    for path, where in (
        ("/today", "Today"),
        ("/upcoming", "Upcoming"),
        ("/labels/money", "a label's page"),
        ("/search?q=milk", "a search's page"),
        ("/search", "the search page before a search"),
    ):
        page.goto(f"{base_url}{path}")
        expect(heading(page)).to_be_visible()
        assert_no_violations(page, f"{where} ({scheme})")
    expect(titles(page)).to_have_count(0)

    # Results that came with the typing, too.
    page.goto(f"{base_url}/upcoming")
    search_box(page).fill("milk")
    expect(page).to_have_url(f"{base_url}/search?q=milk")
    expect(titles(page)).to_have_text(
        ["Milk the goat", "Buy oat milk and coffee beans, the dark roast"]
    )
    assert_no_violations(page, f"search results as typed ({scheme})")


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_today_and_a_search(
    open_page: Callable[..., Page], base_url: str, scheme: str, device: str
) -> None:
    page = open_page(viewport=VIEWPORTS[device], color_scheme=scheme)
    today = today_in(zone_of(page.context.request, base_url))
    fill_for_pictures(page, base_url, today)

    page.goto(f"{base_url}/today")
    expect(day_headings(page)).to_have_text(["Overdue", "Today"])
    expect(titles(page)).to_have_count(3)
    page.locator("input.new-todo").blur()
    shoot(page, f"organise-today-{scheme}-{device}")

    page.goto(f"{base_url}/search?q=milk")
    expect(titles(page)).to_have_count(2)
    search_box(page).blur()
    shoot(page, f"organise-search-{scheme}-{device}")
