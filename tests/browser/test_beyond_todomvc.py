"""Beyond TodoMVC: the optional description, and "Show more" paging of long lists."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    add_many,
    assert_same_page,
    counter,
    mark_page,
    row,
    rows,
    titles,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # Settings.page_size


def add_with_description(page: Page, title: str, description: str) -> None:
    page.locator("input.new-todo").fill(title)
    page.get_by_text("Add a description").click()
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Add", exact=True).click()


def test_description_is_shown_under_the_title_and_edited_on_the_edit_page(
    page: Page, base_url: str
) -> None:
    add_with_description(page, "Buy milk", "2 litres\nsemi-skimmed")
    milk = row(page, "Buy milk")
    expect(milk).to_have_count(1)
    description = milk.locator(".description")
    expect(description).to_have_text("2 litres\nsemi-skimmed")
    # Under the title: below it, and starting in the title's column.
    title_box = milk.locator("label.title").bounding_box()
    description_box = description.bounding_box()
    assert title_box
    assert description_box
    assert description_box["y"] >= title_box["y"] + title_box["height"] - 1
    assert abs(description_box["x"] - title_box["x"]) < 1
    # ...while the row's controls stay on the title's line, as in rows without one.
    for control in ("input.toggle", "a.edit-link", "button.destroy"):
        box = milk.locator(control).bounding_box()
        assert box, control
        middle = box["y"] + box["height"] / 2
        assert title_box["y"] <= middle <= title_box["y"] + title_box["height"], control
    # The form is fresh again, its details closed.
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(page.get_by_label("Description")).to_be_hidden()

    edit_url = f"{base_url}/todos/{todo_id(milk)}/edit"
    milk.get_by_role("link", name="Edit “Buy milk”").click()
    expect(page).to_have_url(edit_url)
    expect(page.get_by_label("Title")).to_have_value("Buy milk")
    expect(page.get_by_label("Description")).to_have_value("2 litres\nsemi-skimmed")
    page.get_by_label("Title").fill("  Buy oat milk ")
    page.get_by_label("Description").fill("1 litre")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"(#todo-\d+)?$"))
    expect(row(page, "Buy oat milk").locator(".description")).to_have_text("1 litre")

    # Emptying the description removes it; Cancel changes nothing.
    row(page, "Buy oat milk").get_by_role("link", name="Edit “Buy oat milk”").click()
    page.get_by_label("Description").fill("")
    page.get_by_role("button", name="Save").click()
    expect(row(page, "Buy oat milk").locator(".description")).to_have_count(0)
    row(page, "Buy oat milk").get_by_role("link", name="Edit “Buy oat milk”").click()
    page.get_by_label("Title").fill("Not saved")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"(#todo-\d+)?$"))
    expect(titles(page)).to_have_text(["Buy oat milk"])


def todo_id(row: Locator) -> str:
    row_id = row.get_attribute("id")
    assert row_id
    return row_id.removeprefix("todo-")


def test_inline_edit_keeps_the_description(page: Page) -> None:
    add_with_description(page, "Title", "Details stay")
    expect(rows(page)).to_have_count(1)
    rows(page).first.locator("label.title").dblclick()
    rows(page).first.locator("input.edit").fill("New title")
    rows(page).first.locator("input.edit").press("Enter")
    expect(rows(page).first.locator("label.title")).to_have_text("New title")
    expect(rows(page).first.locator(".description")).to_have_text("Details stay")
    page.reload()
    expect(rows(page).first.locator(".description")).to_have_text("Details stay")


def test_show_more_loads_the_next_page_in_place(page: Page, base_url: str) -> None:
    total = PAGE_SIZE + 5
    add_many(page, [f"Todo {n:02}" for n in range(1, total + 1)])
    page.reload()
    expect(rows(page)).to_have_count(PAGE_SIZE)
    expect(counter(page)).to_have_text(f"{total} items left")
    mark_page(page)

    more = page.get_by_role("link", name="Show more")
    more.click()
    expect(rows(page)).to_have_count(total)
    expect(titles(page).last).to_have_text(f"Todo {total}")
    expect(titles(page).nth(PAGE_SIZE)).to_have_text(f"Todo {PAGE_SIZE + 1}")
    expect(more).to_have_count(0)
    expect(page).to_have_url(re.compile(re.escape(f"{base_url}/") + r"(#todo-\d+)?$"))
    assert_same_page(page)
    # Focus goes to the first row that arrived (the link it was on is gone).
    expect(rows(page).nth(PAGE_SIZE).locator("input.toggle")).to_be_focused()

    # A row from the second page works like any other.
    row(page, f"Todo {total}").locator("input.toggle").check()
    expect(row(page, f"Todo {total}")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text(f"{total - 1} items left")

    # Toggle-all and the counter cover every todo, not just the rows on the page.
    page.locator("input.toggle-all").check()
    expect(counter(page)).to_have_text("0 items left")
    page.reload()
    expect(counter(page)).to_have_text("0 items left")
    expect(page.locator("input.toggle-all")).to_be_checked()
    page.locator("input.toggle-all").uncheck()
    expect(counter(page)).to_have_text(f"{total} items left")


def test_show_more_in_newest_first_order(page: Page, base_url: str) -> None:
    total = PAGE_SIZE + 2
    add_many(page, [f"Todo {n:02}" for n in range(1, total + 1)])
    page.goto(f"{base_url}/?order=newest")
    expect(titles(page).first).to_have_text(f"Todo {total}")
    page.get_by_role("link", name="Show more").click()
    expect(rows(page)).to_have_count(total)
    expect(titles(page).last).to_have_text("Todo 01")
    expect(page).to_have_url(f"{base_url}/?order=newest")


def test_show_more_is_a_working_link_without_javascript(new_page: PageMaker, base_url: str) -> None:
    page = new_page(java_script_enabled=False)
    total = PAGE_SIZE + 3
    add_many(page, [f"Todo {n:02}" for n in range(1, total + 1)])
    page.reload()
    expect(rows(page)).to_have_count(PAGE_SIZE)
    last_shown = todo_id(rows(page).last)
    with page.expect_navigation():
        page.get_by_role("link", name="Show more").click()
    expect(page).to_have_url(f"{base_url}/?after={last_shown}")
    expect(titles(page)).to_have_text([f"Todo {n:02}" for n in range(PAGE_SIZE + 1, total + 1)])
    expect(counter(page)).to_have_text(f"{total} items left")
    expect(page.get_by_role("link", name="Show more")).to_have_count(0)
