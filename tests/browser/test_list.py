"""The core TodoMVC list in a real Chromium: add, toggle, edit, delete, toggle all, clear.

More in this folder: filters and toggle-all state (test_filters), inline-edit edge cases
(test_editing), keyboard and focus (test_keyboard), errors (test_errors), no JavaScript
(test_no_javascript), description and paging (test_beyond_todomvc), accessibility and
screenshots.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    EDITING,
    RequestLog,
    add,
    assert_same_page,
    mark_page,
    rows,
    settle,
)

pytestmark = pytest.mark.browser


# -- adding --


def test_new_todo_input_is_focused_on_load(page: Page) -> None:
    expect(page.locator("input.new-todo")).to_be_focused()


def test_enter_adds_a_trimmed_todo_at_the_end_and_clears_the_input(page: Page) -> None:
    mark_page(page)
    add(page, "First")
    page.locator("input.new-todo").fill("   Second todo   ")
    page.locator("input.new-todo").press("Enter")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).locator("label.title")).to_have_text(["First", "Second todo"])
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(page.locator("input.new-todo")).to_be_focused()
    assert_same_page(page)


def test_blank_title_adds_nothing_and_sends_no_request(page: Page) -> None:
    add(page, "Only one")
    posts = RequestLog(page, "POST")
    page.locator("input.new-todo").fill("   ")
    page.locator("input.new-todo").press("Enter")
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(rows(page)).to_have_count(1)
    settle(page)
    page.reload()
    assert posts.seen == []
    expect(rows(page)).to_have_count(1)


# -- toggling --


def test_toggle_marks_completed_and_updates_the_count_without_navigation(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    count = page.locator("span.todo-count")
    expect(count).to_have_text("2 items left")
    mark_page(page)

    rows(page).nth(0).locator("input.toggle").check()
    expect(rows(page).nth(0)).to_have_class(COMPLETED)
    expect(count).to_have_text("1 item left")

    rows(page).nth(1).locator("input.toggle").check()
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect(count).to_have_text("0 items left")

    rows(page).nth(0).locator("input.toggle").uncheck()
    rows(page).nth(1).locator("input.toggle").uncheck()
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(rows(page).nth(1)).not_to_have_class(COMPLETED)
    expect(count).to_have_text("2 items left")
    assert_same_page(page)


def test_state_persists_across_reload(page: Page) -> None:
    add(page, "Keep me")
    add(page, "Done already")
    rows(page).nth(1).locator("input.toggle").check()
    expect(page.locator("span.todo-count")).to_have_text("1 item left")

    page.reload()
    expect(rows(page).locator("label.title")).to_have_text(["Keep me", "Done already"])
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect(rows(page).nth(1).locator("input.toggle")).to_be_checked()
    expect(page.locator("span.todo-count")).to_have_text("1 item left")


# -- inline editing --


def test_double_click_starts_editing(page: Page) -> None:
    add(page, "Edit me")
    rows(page).first.locator("label.title").dblclick()
    expect(rows(page).first).to_have_class(EDITING)
    edit = rows(page).first.locator("input.edit")
    expect(edit).to_be_focused()
    expect(edit).to_have_value("Edit me")


def test_enter_saves_an_edit(page: Page) -> None:
    add(page, "Old title")
    mark_page(page)
    rows(page).first.locator("label.title").dblclick()
    rows(page).first.locator("input.edit").fill("  New title  ")
    rows(page).first.locator("input.edit").press("Enter")
    expect(rows(page).first).not_to_have_class(EDITING)
    expect(rows(page).first.locator("label.title")).to_have_text("New title")
    assert_same_page(page)

    page.reload()
    expect(rows(page).locator("label.title")).to_have_text(["New title"])


def test_escape_cancels_an_edit(page: Page) -> None:
    add(page, "Stay")
    rows(page).first.locator("label.title").dblclick()
    edit = rows(page).first.locator("input.edit")
    edit.fill("Changed")
    edit.press("Escape")
    expect(rows(page).first).not_to_have_class(EDITING)
    expect(rows(page).first.locator("label.title")).to_have_text("Stay")
    expect(edit).to_have_value("Stay")

    page.reload()
    expect(rows(page).locator("label.title")).to_have_text(["Stay"])


def test_clearing_the_title_deletes_the_todo(page: Page) -> None:
    add(page, "Keep")
    add(page, "Go away")
    rows(page).nth(1).locator("label.title").dblclick()
    rows(page).nth(1).locator("input.edit").fill("")
    rows(page).nth(1).locator("input.edit").press("Enter")
    expect(rows(page).locator("label.title")).to_have_text(["Keep"])

    page.reload()
    expect(rows(page).locator("label.title")).to_have_text(["Keep"])


# -- deleting, toggle-all, clear completed --


def test_destroy_button_deletes(page: Page) -> None:
    add(page, "Keep")
    add(page, "Delete me")
    rows(page).nth(1).hover()
    rows(page).nth(1).locator("button.destroy").click()
    expect(rows(page).locator("label.title")).to_have_text(["Keep"])
    expect(page.locator("span.todo-count")).to_have_text("1 item left")

    page.reload()
    expect(rows(page).locator("label.title")).to_have_text(["Keep"])


def test_toggle_all_then_clear_completed_and_empty_list_hides_main_and_footer(
    page: Page,
) -> None:
    main = page.locator("section.main")
    footer = page.locator("footer.footer")
    expect(main).to_be_hidden()
    expect(footer).to_be_hidden()

    add(page, "A")
    add(page, "B")
    expect(main).to_be_visible()
    expect(footer).to_be_visible()
    mark_page(page)

    page.locator("input.toggle-all").check()
    expect(rows(page).nth(0)).to_have_class(COMPLETED)
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect(page.locator("span.todo-count")).to_have_text("0 items left")

    page.locator("button.clear-completed").click()
    expect(rows(page)).to_have_count(0)
    expect(main).to_be_hidden()
    expect(footer).to_be_hidden()
    assert_same_page(page)

    page.reload()
    expect(rows(page)).to_have_count(0)
    expect(main).to_be_hidden()
    expect(footer).to_be_hidden()
