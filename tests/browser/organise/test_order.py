"""Orders in a real Chromium, with and without JavaScript: the footer's Order navigation
(oldest first, newest first, by due date, the list's own), kept by the filters and a
reload; Move up / Move down (plain forms, and htmx with the keyboard); dragging a row
(SortableJS), a drag the server refuses, "Show more" in each order, two tabs moving rows
of one list; the j/k/x shortcuts on Today; axe-core and screenshots of a list in its own
order.

The package's one account is shared by every browser test: each test here starts with
an empty Inbox and no other list, and deletes its lists when it ends, so other tests
see the Inbox only (emptied again by the next test's page).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import (
    COMPLETED,
    FAILED_RESOURCE,
    VIEWPORTS,
    assert_no_violations,
    assert_same_page,
    csrf_token,
    mark_page,
    row,
    rows,
    settle,
    shoot,
    tab_to,
    titles,
)
from tests.browser.organise.helpers import (
    click_and_wait,
    second_tab,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import APIRequestContext, Route

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

ORDERS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "due": "By due date",
    "manual": "Own order",
}
LIST_PATH = re.compile(r"/lists/(\d+)$")
AT_ROW = re.compile(r"#todo-(\d+)$")
SELECTED_ZONE = re.compile(r"<option selected>([^<]+)</option>")
MOVE_URL = re.compile(r"/todos/\d+/move")
NOT_SAVED = "That move couldn't be saved. Showing the list as it is."
PAGE_SIZE = 50  # PAGE_SIZE's default: rows per page of a list


# -- set-up: an empty Inbox and no other list, before and after each test --


def today_of(request: APIRequestContext, base_url: str) -> date:
    """The shared account's today, in the time zone its account page has chosen."""
    match = SELECTED_ZONE.search(request.get(f"{base_url}/account").text())
    assert match, "no time zone chosen on the account page"
    return datetime.now(ZoneInfo(match.group(1))).date()


# -- quick set-up with the plain forms' requests (the page's cookies and CSRF token) --


def add_todos(
    page: Page, base_url: str, *todo_titles: str, list_id: int | None = None
) -> dict[str, int]:
    """Add todos in this order; returns their ids by title."""
    token = csrf_token(page)
    query = f"?list={list_id}" if list_id is not None else ""
    ids: dict[str, int] = {}
    for title in todo_titles:
        response = page.request.post(
            f"{base_url}/todos{query}", form={"title": title, "csrf_token": token}, max_redirects=0
        )
        assert response.status == 303, response.text()
        match = AT_ROW.search(response.headers["location"])
        assert match, response.headers["location"]
        ids[title] = int(match.group(1))
    return ids


def set_due(page: Page, base_url: str, todo_id: int, title: str, due_on: date | None) -> None:
    """Save the edit page's form with a request, as the page would post it."""
    form = {
        "title": title,
        "description": "",
        "due_on": due_on.isoformat() if due_on else "",
        "labels": "",
        "csrf_token": csrf_token(page),
    }
    response = page.request.post(f"{base_url}/todos/{todo_id}", form=form, max_redirects=0)
    assert response.status == 303, response.text()


def move_after(page: Page, base_url: str, todo_id: int, after: int | None) -> None:
    """What a drag sends: the todo right after another (None: first)."""
    response = page.request.post(
        f"{base_url}/todos/{todo_id}/move",
        form={"after": "" if after is None else str(after), "csrf_token": csrf_token(page)},
        max_redirects=0,
    )
    assert response.status == 204, response.text()


def toggle(page: Page, base_url: str, todo_id: int) -> None:
    response = page.request.post(
        f"{base_url}/todos/{todo_id}/toggle", form={"csrf_token": csrf_token(page)}, max_redirects=0
    )
    assert response.status == 303, response.text()


def add_list(page: Page, base_url: str, name: str) -> int:
    response = page.request.post(
        f"{base_url}/lists", form={"name": name, "csrf_token": csrf_token(page)}, max_redirects=0
    )
    assert response.status == 303, response.text()
    match = LIST_PATH.search(response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


# -- finding things --


def order_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Order")


def order_link(page: Page, order: str) -> Locator:
    return order_nav(page).get_by_role("link", name=ORDERS[order], exact=True)


def message(page: Page) -> Locator:
    return page.locator("#messages")


def up(page: Page, title: str) -> Locator:
    return page.get_by_role("button", name=f"Move “{title}” up", exact=True)


def down(page: Page, title: str) -> Locator:
    return page.get_by_role("button", name=f"Move “{title}” down", exact=True)


def more(page: Page) -> Locator:
    return page.locator("#more").get_by_role("link", name="Show more")


def at_row(url: str, todo_id: int | None = None) -> re.Pattern[str]:
    """`url` at a row: plain forms come back to the row they acted on."""
    anchor = rf"#todo-{todo_id}" if todo_id is not None else r"(#todo-\d+)?"
    return re.compile(re.escape(url) + anchor + "$")


def order_url(base_url: str, order: str, path: str = "/") -> str:
    return f"{base_url}{path}" + ("" if order == "oldest" else f"?order={order}")


def choose_order(page: Page, order: str) -> None:
    click_and_wait(page, order_link(page, order))


def assert_current_order(page: Page, order: str) -> None:
    """The order's link, and only it, is marked as the current one."""
    expect(order_nav(page).locator("a[aria-current]")).to_have_text([ORDERS[order]])
    expect(order_link(page, order)).to_have_attribute("aria-current", "true")


def drag(page: Page, source: Locator, target: Locator, *, below: bool) -> None:
    """Drag a row by its title with the mouse, in small steps, onto the upper or lower
    part of another row, and let go."""
    start = source.locator("label.title").bounding_box()
    end = target.bounding_box()
    assert start, "the dragged row is not shown"
    assert end, "the row to drop on is not shown"
    x = start["x"] + min(start["width"] / 2, 40)
    page.mouse.move(x, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = end["y"] + end["height"] * (0.8 if below else 0.2)
    page.mouse.move(x, start["y"] + start["height"] / 2 + (5 if y > start["y"] else -5), steps=3)
    page.mouse.move(x, y, steps=20)
    settle(page)
    page.mouse.up()


# -- the orders, from the footer's navigation --

# Five todos, added in this order; "Call mom" is done. Due: "Pay rent" yesterday, "Buy
# milk" and "Book flights" in 3 days. Own order: "Book flights" moved first, then "Buy
# milk" moved right after "Pay rent".
FIVE = ("Buy milk", "Call mom", "Pay rent", "Water plants", "Book flights")
SHOWN = {
    "oldest": ["Buy milk", "Call mom", "Pay rent", "Water plants", "Book flights"],
    "newest": ["Book flights", "Water plants", "Pay rent", "Call mom", "Buy milk"],
    # Dated first by date (ties in the order they were added), then the undated.
    "due": ["Pay rent", "Buy milk", "Book flights", "Call mom", "Water plants"],
    "manual": ["Book flights", "Call mom", "Pay rent", "Buy milk", "Water plants"],
}


def fill_five(page: Page, base_url: str) -> dict[str, int]:
    ids = add_todos(page, base_url, *FIVE)
    today = today_of(page.context.request, base_url)
    set_due(page, base_url, ids["Pay rent"], "Pay rent", today - timedelta(days=1))
    set_due(page, base_url, ids["Buy milk"], "Buy milk", today + timedelta(days=3))
    set_due(page, base_url, ids["Book flights"], "Book flights", today + timedelta(days=3))
    toggle(page, base_url, ids["Call mom"])
    move_after(page, base_url, ids["Book flights"], None)
    move_after(page, base_url, ids["Buy milk"], ids["Pay rent"])
    page.goto(f"{base_url}/")
    return ids


@pytest.mark.parametrize("scripts", ["with JavaScript", "without JavaScript"])
def test_each_order_from_the_footer_is_marked_kept_by_the_filters_and_a_reload(
    open_page: Callable[..., Page], base_url: str, scripts: str
) -> None:
    page = open_page(java_script_enabled=scripts == "with JavaScript")
    fill_five(page, base_url)
    expect(titles(page)).to_have_text(SHOWN["oldest"])
    assert_current_order(page, "oldest")
    expect(order_nav(page).get_by_role("link")).to_have_text(list(ORDERS.values()))

    for order in ("newest", "due", "manual", "oldest"):
        choose_order(page, order)
        expect(page).to_have_url(order_url(base_url, order))
        assert_current_order(page, order)
        expect(titles(page)).to_have_text(SHOWN[order])
        # The move buttons only in the list's own order.
        expect(page.locator("form.move-form")).to_have_count(5 if order == "manual" else 0)

        # The filters keep the order, and the order's links keep the filter.
        click_and_wait(page, page.get_by_role("link", name="Active", exact=True))
        expect(page).to_have_url(order_url(base_url, order, "/active"))
        assert_current_order(page, order)
        expect(titles(page)).to_have_text([t for t in SHOWN[order] if t != "Call mom"])
        expect(order_link(page, "newest")).to_have_attribute("href", "/active?order=newest")
        click_and_wait(page, page.get_by_role("link", name="Completed", exact=True))
        expect(page).to_have_url(order_url(base_url, order, "/completed"))
        assert_current_order(page, order)
        expect(titles(page)).to_have_text(["Call mom"])
        click_and_wait(page, page.get_by_role("link", name="All", exact=True))
        expect(page).to_have_url(order_url(base_url, order))

        page.reload()
        assert_current_order(page, order)
        expect(titles(page)).to_have_text(SHOWN[order])


# -- Move up / Move down --


def test_without_javascript_move_up_and_down_come_back_at_the_row(
    plain: Page, base_url: str
) -> None:
    page = plain
    numbered = [f"Task {n:02}" for n in range(1, 31)]
    ids = add_todos(page, base_url, *numbered)
    page.goto(f"{base_url}/")
    choose_order(page, "manual")
    expect(titles(page)).to_have_text(numbered)
    url = f"{base_url}/?order=manual"

    # Far down the page: the answer comes back at the moved row, shown on screen.
    click_and_wait(page, up(page, "Task 25"))
    expect(page).to_have_url(at_row(url, ids["Task 25"]))
    expected = [*numbered[:23], "Task 25", "Task 24", *numbered[25:]]
    expect(titles(page)).to_have_text(expected)
    expect(row(page, "Task 25")).to_be_in_viewport()
    assert_current_order(page, "manual")
    click_and_wait(page, up(page, "Task 25"))
    expected = [*numbered[:22], "Task 25", "Task 23", "Task 24", *numbered[25:]]
    expect(titles(page)).to_have_text(expected)
    expect(row(page, "Task 25")).to_be_in_viewport()

    click_and_wait(page, down(page, "Task 02"))
    expect(page).to_have_url(at_row(url, ids["Task 02"]))
    expected = ["Task 01", "Task 03", "Task 02", *expected[3:]]
    expect(titles(page)).to_have_text(expected)

    # The first can't go up, the last can't go down: nothing changes.
    click_and_wait(page, up(page, "Task 01"))
    expect(titles(page)).to_have_text(expected)
    click_and_wait(page, down(page, "Task 30"))
    expect(page).to_have_url(at_row(url, ids["Task 30"]))
    expect(titles(page)).to_have_text(expected)

    page.goto(url)
    expect(titles(page)).to_have_text(expected)
    # The other orders are untouched by the moves.
    choose_order(page, "oldest")
    expect(titles(page)).to_have_text(numbered)


def test_with_javascript_move_buttons_keep_the_focus_for_the_next_enter(
    page: Page, base_url: str
) -> None:
    add_todos(page, base_url, "a", "b", "c", "d", "e")
    page.goto(f"{base_url}/?order=manual")
    expect(titles(page)).to_have_text(["a", "b", "c", "d", "e"])
    mark_page(page)
    moves: list[str] = []
    page.on("request", lambda r: moves.append(r.url) if MOVE_URL.search(r.url) else None)

    # To "Move “d” up" with the keyboard, from its row's title.
    row(page, "d").locator("label.title").focus()
    tab_to(page, up(page, "d"))
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["a", "b", "d", "c", "e"])
    expect(up(page, "d")).to_be_focused()
    # Enter again, and again: further up, the focus following the row.
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["a", "d", "b", "c", "e"])
    expect(up(page, "d")).to_be_focused()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["d", "a", "b", "c", "e"])
    expect(up(page, "d")).to_be_focused()
    # First already: nothing moves, the focus stays.
    page.keyboard.press("Enter")
    settle(page)
    expect(titles(page)).to_have_text(["d", "a", "b", "c", "e"])
    expect(up(page, "d")).to_be_focused()
    assert len(moves) == 4, moves

    # Tab to its "down" button; down twice.
    page.keyboard.press("Tab")
    expect(down(page, "d")).to_be_focused()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["a", "d", "b", "c", "e"])
    expect(down(page, "d")).to_be_focused()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["a", "b", "d", "c", "e"])
    expect(down(page, "d")).to_be_focused()
    assert_same_page(page)
    # htmx kept the address; nothing else on the page went.
    expect(page).to_have_url(f"{base_url}/?order=manual")
    assert_current_order(page, "manual")

    page.reload()
    expect(titles(page)).to_have_text(["a", "b", "d", "c", "e"])


# -- dragging (SortableJS) --


def test_drag_a_row_with_the_mouse_and_the_order_is_kept(page: Page, base_url: str) -> None:
    ids = add_todos(page, base_url, "a", "b", "c", "d")
    page.goto(f"{base_url}/?order=manual")
    expect(titles(page)).to_have_text(["a", "b", "c", "d"])
    mark_page(page)

    with page.expect_response(MOVE_URL) as answer:
        drag(page, row(page, "a"), row(page, "c"), below=True)
    assert answer.value.status == 204
    assert answer.value.url.endswith(f"/todos/{ids['a']}/move?order=manual")
    assert answer.value.request.post_data == f"after={ids['c']}"
    expect(titles(page)).to_have_text(["b", "c", "a", "d"])

    with page.expect_response(MOVE_URL) as answer:
        drag(page, row(page, "d"), row(page, "b"), below=False)
    assert answer.value.status == 204
    assert answer.value.request.post_data == "after="
    expect(titles(page)).to_have_text(["d", "b", "c", "a"])
    assert_same_page(page)
    expect(message(page)).to_have_text("")

    page.reload()
    expect(titles(page)).to_have_text(["d", "b", "c", "a"])
    # Moved rows still move with the buttons, from where they are now.
    up(page, "a").click()
    expect(titles(page)).to_have_text(["d", "b", "a", "c"])
    page.reload()
    expect(titles(page)).to_have_text(["d", "b", "a", "c"])


def test_a_drag_the_server_refuses_says_so_and_reloads_the_kept_order(
    page: Page, new_page: PageMaker, base_url: str
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the 500 answer, on purpose
    add_todos(page, base_url, "a", "b", "c", "d")
    page.goto(f"{base_url}/?order=manual")
    expect(titles(page)).to_have_text(["a", "b", "c", "d"])
    refused: list[str] = []

    def fail(route: Route) -> None:
        refused.append(route.request.url)
        route.fulfill(status=500, content_type="text/plain", body="Internal Server Error")

    page.route(MOVE_URL, fail)
    mark_page(page)
    with page.expect_navigation(timeout=10_000):
        drag(page, row(page, "d"), row(page, "a"), below=False)
        # The page shows the dragged order for a moment, with the message.
        expect(message(page).get_by_role("alert")).to_have_text(NOT_SAVED)
        expect(titles(page)).to_have_text(["d", "a", "b", "c"])
    assert len(refused) == 1, refused
    # Loaded again: the order the server kept, and no message left.
    page.wait_for_load_state()
    assert page.evaluate("window.__marker") is None, "the page was not loaded again"
    expect(titles(page)).to_have_text(["a", "b", "c", "d"])
    expect(message(page)).to_have_text("")
    expect(page).to_have_url(f"{base_url}/?order=manual")


# -- "Show more" in each order --

MANY = [f"Todo {n:02}" for n in range(1, 56)]


def fill_many(page: Page, base_url: str) -> dict[str, list[str]]:
    """55 todos; the 52 first due today (even) or tomorrow (odd), so that the first page
    ends among tied dates; in the own order "Todo 55" first, "Todo 01" after "Todo 50"
    and "Todo 30" after "Todo 52". Returns each order's titles."""
    ids = add_todos(page, base_url, *MANY)
    today = today_of(page.context.request, base_url)
    for n in range(1, 53):
        set_due(page, base_url, ids[MANY[n - 1]], MANY[n - 1], today + timedelta(days=n % 2))
    own = list(MANY)
    for title, after in (("Todo 55", None), ("Todo 01", "Todo 50"), ("Todo 30", "Todo 52")):
        move_after(page, base_url, ids[title], ids[after] if after else None)
        own.remove(title)
        own.insert(own.index(after) + 1 if after else 0, title)
    evens = [t for n, t in enumerate(MANY, 1) if n <= 52 and n % 2 == 0]
    odds = [t for n, t in enumerate(MANY, 1) if n <= 52 and n % 2 == 1]
    return {
        "oldest": MANY,
        "newest": MANY[::-1],
        "due": [*evens, *odds, *MANY[52:]],
        "manual": own,
    }


def test_with_javascript_show_more_pages_each_order_without_repeats(
    page: Page, base_url: str
) -> None:
    expected = fill_many(page, base_url)
    for order in ORDERS:
        page.goto(order_url(base_url, order))
        assert_current_order(page, order)
        expect(rows(page)).to_have_count(PAGE_SIZE)
        mark_page(page)
        more(page).click()
        expect(rows(page)).to_have_count(55)
        expect(more(page)).to_have_count(0)
        assert_same_page(page)
        shown = titles(page).all_text_contents()
        assert len(set(shown)) == len(shown), f"{order}: repeated rows"
        assert shown == expected[order], order
        page.reload()
        expect(rows(page)).to_have_count(PAGE_SIZE)
        expect(titles(page)).to_have_text(expected[order][:PAGE_SIZE])


def test_without_javascript_show_more_pages_each_order_without_repeats(
    plain: Page, base_url: str
) -> None:
    page = plain
    expected = fill_many(page, base_url)
    for order in ORDERS:
        page.goto(order_url(base_url, order))
        seen = titles(page).all_text_contents()
        assert len(seen) == PAGE_SIZE, order
        click_and_wait(page, more(page))
        # The next page: the order kept, in the address and the navigation.
        if order != "oldest":
            assert f"order={order}" in page.url, page.url
        assert "after=" in page.url, page.url
        assert_current_order(page, order)
        seen += titles(page).all_text_contents()
        expect(more(page)).to_have_count(0)
        assert len(set(seen)) == len(seen), f"{order}: repeated rows"
        assert seen == expected[order], order


# -- two tabs --


def test_two_tabs_moving_rows_of_one_list_end_in_one_order(
    page: Page, new_page: PageMaker, base_url: str
) -> None:
    add_todos(page, base_url, "a", "b", "c", "d", "e")
    page.goto(f"{base_url}/?order=manual")
    other = second_tab(page, new_page)
    other.goto(f"{base_url}/?order=manual")
    expect(titles(other)).to_have_text(["a", "b", "c", "d", "e"])

    # The first tab moves "e" up: a b c e d.
    up(page, "e").click()
    expect(titles(page)).to_have_text(["a", "b", "c", "e", "d"])

    # The second, still showing a b c d e, moves "a" down: after "b", the one below it on
    # the server; its answer shows the list as the server has it now.
    down(other, "a").click()
    expect(titles(other)).to_have_text(["b", "a", "c", "e", "d"])

    # The first, still showing a b c e d, drags "b" to the end: right after "d".
    with page.expect_response(MOVE_URL) as answer:
        drag(page, row(page, "b"), row(page, "d"), below=True)
    assert answer.value.status == 204
    expect(titles(page)).to_have_text(["a", "c", "e", "d", "b"])

    # The second, still showing b a c e d, drags "d" above "b", to the top: first.
    with other.expect_response(MOVE_URL) as answer:
        drag(other, row(other, "d"), row(other, "b"), below=False)
    assert answer.value.status == 204

    final = ["d", "a", "c", "e", "b"]
    for tab in (page, other):
        tab.reload()
        expect(titles(tab)).to_have_text(final)


# -- the keyboard shortcuts on Today --


def set_due_on_edit_page(page: Page, base_url: str, title: str, day: date) -> None:
    """The edit page's "Due date" field, as a person sets it."""
    click_and_wait(page, page.get_by_role("link", name=f"Edit “{title}”"))
    page.get_by_label("Due date").fill(day.isoformat())
    click_and_wait(page, page.get_by_role("button", name="Save"))
    expect(message(page)).to_have_text(f"Saved “{title}”.")


def group(page: Page, name: str) -> Locator:
    return page.get_by_role("list", name=name, exact=True).locator(":scope > li label.title")


def test_shortcuts_j_k_x_walk_both_groups_on_today(page: Page, base_url: str) -> None:
    """On Today, j and k walk the rows of both lists ("Overdue", then "Today") as one,
    and x acts on the focused row of either."""
    today = today_of(page.context.request, base_url)
    add_todos(page, base_url, "Old bill", "Late letter", "Pay rent", "Call the bank")
    page.goto(f"{base_url}/")
    for title, days in (
        ("Old bill", -3),
        ("Late letter", -1),
        ("Pay rent", 0),
        ("Call the bank", 0),
    ):
        set_due_on_edit_page(page, base_url, title, today + timedelta(days=days))

    page.goto(f"{base_url}/today")
    expect(group(page, "Overdue")).to_have_text(["Old bill", "Late letter"])
    expect(group(page, "Today")).to_have_text(["Pay rent", "Call the bank"])
    # Out of the new-todo field (keys typed there are text).
    page.locator("input.new-todo").blur()
    mark_page(page)
    focused_title = page.locator("label.title:focus")

    # j from no row: the first, in "Overdue"; on into "Today"; no wrapping round.
    for title in ("Old bill", "Late letter", "Pay rent", "Call the bank", "Call the bank"):
        page.keyboard.press("j")
        expect(focused_title).to_have_text(title)
    # k back up, across the groups, and no further than the first.
    for title in ("Pay rent", "Late letter", "Old bill", "Old bill"):
        page.keyboard.press("k")
        expect(focused_title).to_have_text(title)

    # x on an overdue row: done, so it leaves Today; the focus goes to its neighbour.
    page.keyboard.press("x")
    expect(group(page, "Overdue")).to_have_text(["Late letter"])
    expect(focused_title).to_have_text("Late letter")
    # j from the last overdue row to the first of today's; x there too.
    page.keyboard.press("j")
    expect(focused_title).to_have_text("Pay rent")
    page.keyboard.press("x")
    expect(group(page, "Today")).to_have_text(["Call the bank"])
    expect(focused_title).to_have_text("Call the bank")
    page.keyboard.press("k")
    expect(focused_title).to_have_text("Late letter")
    assert_same_page(page)

    page.reload()
    expect(group(page, "Overdue")).to_have_text(["Late letter"])
    expect(group(page, "Today")).to_have_text(["Call the bank"])
    # Done, they are in the Inbox still, ticked.
    page.goto(f"{base_url}/completed")
    expect(titles(page)).to_have_text(["Old bill", "Pay rent"])


# -- axe-core and screenshots --


def fill_own_order(page: Page, base_url: str) -> int:
    """A list "Weekend" in its own order: due dates, a done todo, rows moved; ends on it."""
    list_id = add_list(page, base_url, "Weekend")
    ids = add_todos(
        page,
        base_url,
        "Bake bread",
        "Fix the bike's back brake",
        "Call grandma",
        "Plant the tomatoes before the rain",
        "Return library books",
        list_id=list_id,
    )
    today = today_of(page.context.request, base_url)
    set_due(
        page,
        base_url,
        ids["Return library books"],
        "Return library books",
        today - timedelta(days=1),
    )
    set_due(page, base_url, ids["Call grandma"], "Call grandma", today)
    toggle(page, base_url, ids["Bake bread"])
    move_after(page, base_url, ids["Return library books"], None)
    move_after(page, base_url, ids["Bake bread"], ids["Plant the tomatoes before the rain"])
    # The edits' "Saved" message is shown by the next page: let a request take it.
    assert page.request.get(f"{base_url}/lists/{list_id}").ok
    page.goto(f"{base_url}/lists/{list_id}?order=manual")
    expect(message(page)).to_have_text("")
    expect(titles(page)).to_have_text(
        [
            "Return library books",
            "Fix the bike's back brake",
            "Call grandma",
            "Plant the tomatoes before the rain",
            "Bake bread",
        ]
    )
    expect(row(page, "Bake bread")).to_have_class(COMPLETED)
    assert_current_order(page, "manual")
    page.locator("input.new-todo").blur()
    return list_id


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_a_list_in_its_own_order(
    open_page: Callable[..., Page], base_url: str, scheme: str
) -> None:
    page = open_page(color_scheme=scheme)
    fill_own_order(page, base_url)
    assert_no_violations(page, f"a list in its own order ({scheme})")
    # With a move button focused, after a move.
    row(page, "Call grandma").locator("label.title").focus()
    tab_to(page, up(page, "Call grandma"))
    page.keyboard.press("Enter")
    expect(titles(page).nth(1)).to_have_text("Call grandma")
    expect(up(page, "Call grandma")).to_be_focused()
    assert_no_violations(page, f"a list in its own order after a move ({scheme})")


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_a_list_in_its_own_order(
    open_page: Callable[..., Page], base_url: str, scheme: str, device: str
) -> None:
    page = open_page(viewport=VIEWPORTS[device], color_scheme=scheme)
    fill_own_order(page, base_url)
    shoot(page, f"order-own-{scheme}-{device}")
