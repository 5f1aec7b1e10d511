"""With JavaScript off every action is a plain form or link, and still works."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    FAILED_RESOURCE,
    assert_forms_carry_the_filter,
    counter,
    row,
    rows,
    titles,
)

if TYPE_CHECKING:
    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser


@pytest.fixture
def page(new_page: PageMaker) -> Page:
    return new_page(java_script_enabled=False)


def at_row(url: str) -> re.Pattern[str]:
    """`url`, or `url` at a row (`#todo-N`): plain forms come back to the row they acted on."""
    return re.compile(re.escape(url) + r"(#todo-\d+)?$")


def add(page: Page, title: str) -> None:
    page.locator("input.new-todo").fill(title)
    with page.expect_navigation():
        page.locator("input.new-todo").press("Enter")
    expect(row(page, title.strip())).to_have_count(1)


def test_add_toggle_and_delete(page: Page, base_url: str) -> None:
    add(page, "  No JS todo  ")
    expect(titles(page)).to_have_text(["No JS todo"])
    expect(page).to_have_url(at_row(f"{base_url}/"))
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(counter(page)).to_have_text("1 item left")

    with page.expect_navigation():
        rows(page).first.get_by_role("button", name="Done", exact=True).click()
    expect(rows(page).first).to_have_class(COMPLETED)
    expect(rows(page).first.locator("input.toggle")).to_be_checked()
    expect(counter(page)).to_have_text("0 items left")
    with page.expect_navigation():
        rows(page).first.get_by_role("button", name="Not done", exact=True).click()
    expect(rows(page).first).not_to_have_class(COMPLETED)

    with page.expect_navigation():
        rows(page).first.get_by_role("button", name="Delete “No JS todo”").click()
    expect(rows(page)).to_have_count(0)
    expect(page.locator("section.main")).to_be_hidden()
    expect(page.locator("footer.footer")).to_be_hidden()


def test_add_with_a_description(page: Page) -> None:
    page.locator("input.new-todo").fill("Described")
    page.get_by_text("Add a description").click()
    page.get_by_label("Description").fill("Plain form")
    with page.expect_navigation():
        page.get_by_role("button", name="Add", exact=True).click()
    expect(row(page, "Described").locator(".description")).to_have_text("Plain form")


def test_toggle_all_and_clear_completed(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    # Without scripts the checkbox is hidden (it would save nothing): a button instead.
    expect(page.locator("input.toggle-all")).to_be_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark all as complete").click()
    expect(rows(page).nth(0)).to_have_class(COMPLETED)
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect(page.locator("input.toggle-all")).to_be_checked()
    expect(counter(page)).to_have_text("0 items left")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark all as active").click()
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")

    with page.expect_navigation():
        row(page, "One").get_by_role("button", name="Done", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Clear completed").click()
    expect(titles(page)).to_have_text(["Two"])
    expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)
    expect(page.locator("input.toggle-all")).not_to_be_checked()


def test_edit_on_the_edit_page(page: Page, new_page: PageMaker, base_url: str) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the refused title's 422 page
    add(page, "Old title")
    with page.expect_navigation():
        page.get_by_role("link", name="Edit “Old title”").click()
    expect(page.get_by_label("Title")).to_have_value("Old title")
    page.get_by_label("Title").fill("  New title ")
    page.get_by_label("Description").fill("Now described")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(at_row(f"{base_url}/"))
    expect(titles(page)).to_have_text(["New title"])
    expect(row(page, "New title").locator(".description")).to_have_text("Now described")

    # An empty title is refused with its message, next to the field; nothing changes.
    with page.expect_navigation():
        page.get_by_role("link", name="Edit “New title”").click()
    page.get_by_label("Title").fill("")
    page.get_by_label("Title").evaluate("el => el.removeAttribute('required')")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    expect(titles(page)).to_have_text(["New title"])


def test_a_refused_title_shows_its_message(page: Page, new_page: PageMaker, base_url: str) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the 422 page
    add(page, "Existing")
    new_todo = page.locator("input.new-todo")
    new_todo.evaluate("el => el.removeAttribute('maxlength')")
    new_todo.fill("z" * 201)
    with page.expect_navigation():
        new_todo.press("Enter")
    expect(page.locator("#new-title-error")).to_be_visible()
    expect(titles(page)).to_have_text(["Existing"])
    page.goto(f"{base_url}/")
    expect(titles(page)).to_have_text(["Existing"])


def test_filters_and_order_are_links(page: Page, base_url: str) -> None:
    add(page, "Open")
    add(page, "Done")
    with page.expect_navigation():
        row(page, "Done").get_by_role("button", name="Done", exact=True).click()

    with page.expect_navigation():
        page.get_by_role("link", name="Active", exact=True).click()
    expect(page).to_have_url(at_row(f"{base_url}/active"))
    expect(titles(page)).to_have_text(["Open"])
    with page.expect_navigation():
        page.get_by_role("link", name="Completed", exact=True).click()
    expect(page).to_have_url(at_row(f"{base_url}/completed"))
    expect(titles(page)).to_have_text(["Done"])
    with page.expect_navigation():
        page.get_by_role("link", name="All", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Newest first").click()
    expect(page).to_have_url(at_row(f"{base_url}/?order=newest"))
    expect(titles(page)).to_have_text(["Done", "Open"])
    page.go_back()
    expect(page).to_have_url(at_row(f"{base_url}/"))
    expect(titles(page)).to_have_text(["Open", "Done"])


def test_an_action_on_a_filtered_page_returns_to_it(page: Page, base_url: str) -> None:
    add(page, "One")
    add(page, "Two")
    page.goto(f"{base_url}/active")
    assert_forms_carry_the_filter(page, "active")
    with page.expect_navigation():
        row(page, "One").get_by_role("button", name="Done", exact=True).click()
    expect(page).to_have_url(at_row(f"{base_url}/active"))
    expect(titles(page)).to_have_text(["Two"])
