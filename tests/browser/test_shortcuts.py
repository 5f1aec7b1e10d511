"""Keyboard shortcuts (static/shortcuts.js): n, /, j, k, x, e and the "?" help dialog."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    EDITING,
    RequestLog,
    add,
    add_many,
    assert_no_violations,
    counter,
    focused_description,
    row,
    rows,
    settle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

KEYS = ["n", "/", "j", "k", "x", "e", "z", "?", "Esc"]


def expect_focused(page: Page, locator: Locator) -> None:
    try:
        expect(locator).to_be_focused()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nfocus is on {focused_description(page)}") from None


def title_of(page: Page, title: str) -> Locator:
    return row(page, title).locator("label.title")


def focus_nothing(page: Page) -> None:
    """Take the focus out of the new-todo field (autofocused), onto nothing in particular."""
    page.evaluate("document.activeElement.blur()")
    expect(page.locator("input.new-todo")).not_to_be_focused()


def help_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Keyboard shortcuts")


def with_todos(page: Page, *titles: str) -> None:
    add_many(page, titles)
    page.reload()
    expect(rows(page)).to_have_count(len(titles))


# -- moving around --


def test_j_and_k_move_through_the_rows(page: Page) -> None:
    with_todos(page, "One", "Two", "Three")
    focus_nothing(page)
    # From no row, j goes to the first...
    page.keyboard.press("j")
    expect_focused(page, title_of(page, "One"))
    page.keyboard.press("j")
    expect_focused(page, title_of(page, "Two"))
    page.keyboard.press("j")
    expect_focused(page, title_of(page, "Three"))
    # ...and stops at the last.
    page.keyboard.press("j")
    expect_focused(page, title_of(page, "Three"))
    page.keyboard.press("k")
    expect_focused(page, title_of(page, "Two"))
    page.keyboard.press("k")
    expect_focused(page, title_of(page, "One"))
    page.keyboard.press("k")
    expect_focused(page, title_of(page, "One"))
    # From a row's checkbox or delete button too: the row is where the focus is.
    row(page, "One").locator("input.toggle").focus()
    page.keyboard.press("j")
    expect_focused(page, title_of(page, "Two"))
    row(page, "Three").locator("button.destroy").focus()
    page.keyboard.press("k")
    expect_focused(page, title_of(page, "Two"))


def test_j_and_k_scroll_the_row_into_view(new_page: PageMaker) -> None:
    page = new_page(viewport={"width": 800, "height": 400})
    titles = [f"Todo {i}" for i in range(1, 31)]
    with_todos(page, *titles)
    focus_nothing(page)
    last = title_of(page, "Todo 30")
    expect(last).not_to_be_in_viewport()
    # From no row, k goes to the last one.
    page.keyboard.press("k")
    expect_focused(page, last)
    expect(last).to_be_in_viewport()
    first = title_of(page, "Todo 1")
    expect(first).not_to_be_in_viewport()
    for _ in range(29):
        page.keyboard.press("k")
    expect_focused(page, first)
    expect(first).to_be_in_viewport()


def test_n_focuses_the_new_todo_field_without_typing_an_n(page: Page) -> None:
    with_todos(page, "One")
    page.keyboard.press("j")  # the field has the focus: this "j" is typed
    new_todo = page.locator("input.new-todo")
    expect(new_todo).to_have_value("j")
    new_todo.fill("")
    title_of(page, "One").focus()
    page.keyboard.press("n")
    expect_focused(page, new_todo)
    expect(new_todo).to_have_value("")
    page.keyboard.type("Two")
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).last.locator("label.title")).to_have_text("Two")


def test_n_does_nothing_on_a_page_without_the_field(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/account")
    link = page.get_by_role("link", name="todos")
    link.focus()
    page.keyboard.press("n")
    settle(page)
    expect_focused(page, link)
    expect(page).to_have_url(f"{base_url}/account")


def search_box(page: Page) -> Locator:
    """The search box in the top bar of every signed-in page."""
    return page.get_by_role("searchbox", name="Search")


def test_slash_focuses_the_search_box(page: Page) -> None:
    with_todos(page, "One")
    search = search_box(page)
    title_of(page, "One").focus()
    page.keyboard.press("/")
    expect_focused(page, search)
    expect(search).to_have_value("")
    # In the box, "/" and the other keys are text.
    page.keyboard.type("a/jx?")
    expect(search).to_have_value("a/jx?")
    expect(help_dialog(page)).to_be_hidden()


def test_slash_without_a_search_box_does_nothing(page: Page) -> None:
    with_todos(page, "One")
    page.evaluate("document.querySelectorAll('form[role=search]').forEach(el => el.remove())")
    title = title_of(page, "One")
    title.focus()
    page.keyboard.press("/")
    settle(page)
    expect_focused(page, title)


# -- acting on the focused row --


def test_x_toggles_the_focused_row_and_keeps_the_focus_on_it(page: Page) -> None:
    with_todos(page, "One", "Two")
    expect(counter(page)).to_have_text("2 items left")
    focus_nothing(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    two = row(page, "Two")
    page.keyboard.press("x")
    expect(two).to_have_class(COMPLETED)
    expect(two.locator("input.toggle")).to_be_checked()
    expect(counter(page)).to_have_text("1 item left")
    expect(row(page, "One")).not_to_have_class(COMPLETED)
    # The row was replaced: the focus is on the new row's title.
    expect_focused(page, title_of(page, "Two"))
    page.keyboard.press("x")
    expect(two).not_to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")
    expect_focused(page, title_of(page, "Two"))
    # It is saved, not only shown.
    page.reload()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(rows(page).nth(1)).not_to_have_class(COMPLETED)


def test_x_works_from_the_rows_checkbox(page: Page) -> None:
    with_todos(page, "One")
    toggle = row(page, "One").locator("input.toggle")
    toggle.focus()
    page.keyboard.press("x")
    expect(row(page, "One")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("0 items left")
    expect_focused(page, toggle)


def test_x_on_a_row_that_leaves_the_filter_moves_to_its_neighbour(
    page: Page, base_url: str
) -> None:
    with_todos(page, "One", "Two")
    page.goto(f"{base_url}/active")
    focus_nothing(page)
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(row(page, "One")).to_have_count(0)
    expect(counter(page)).to_have_text("1 item left")
    expect_focused(page, title_of(page, "Two"))


def test_x_without_a_focused_row_does_nothing(page: Page) -> None:
    with_todos(page, "One")
    posts = RequestLog(page)
    focus_nothing(page)
    page.keyboard.press("x")
    settle(page)
    assert posts.seen == []
    expect(row(page, "One")).not_to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("1 item left")


def test_e_opens_the_focused_rows_edit_page(page: Page, base_url: str) -> None:
    with_todos(page, "One", "Two")
    focus_nothing(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    two_id = row(page, "Two").get_attribute("id")
    href = row(page, "Two").locator("a.edit-link").get_attribute("href")
    assert two_id
    assert href
    assert href.startswith(f"/todos/{two_id.removeprefix('todo-')}/edit"), href
    page.keyboard.press("e")
    expect(page).to_have_url(f"{base_url}{href}")
    expect(page.get_by_label("Title")).to_have_value("Two")


def test_modifier_keys_and_capitals_are_not_shortcuts(page: Page) -> None:
    with_todos(page, "One", "Two")
    posts = RequestLog(page)
    title = title_of(page, "One")
    title.focus()
    for key in ("Control+x", "Alt+x", "Meta+x", "Shift+X", "Alt+j", "Control+e", "Alt+e"):
        page.keyboard.press(key)
    settle(page)
    assert posts.seen == []
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")
    expect_focused(page, title)
    expect(help_dialog(page)).to_be_hidden()
    assert page.url.endswith("/")


# -- typing is typing --


def test_keys_typed_into_the_new_todo_field_are_text(page: Page) -> None:
    with_todos(page, "One")
    posts = RequestLog(page)
    new_todo = page.locator("input.new-todo")
    new_todo.focus()
    page.keyboard.type("njkx?e/")
    expect(new_todo).to_have_value("njkx?e/")
    expect_focused(page, new_todo)
    expect(help_dialog(page)).to_be_hidden()
    settle(page)
    assert posts.seen == []
    expect(row(page, "One")).not_to_have_class(COMPLETED)


def test_keys_typed_into_the_description_are_text(page: Page) -> None:
    page.get_by_text("Add a description").click()
    description = page.get_by_label("Description")
    description.focus()
    page.keyboard.type("njkx?e/")
    expect(description).to_have_value("njkx?e/")
    expect_focused(page, description)
    expect(help_dialog(page)).to_be_hidden()


def test_keys_typed_into_the_inline_edit_field_are_text(page: Page) -> None:
    add(page, "One")
    page.locator("input.new-todo").fill("")
    title_of(page, "One").focus()
    page.keyboard.press("F2")
    one = rows(page).first
    expect(one).to_have_class(EDITING)
    edit = one.locator("input.edit")
    expect_focused(page, edit)
    page.keyboard.type(" njkx?e")
    expect(edit).to_have_value("One njkx?e")
    expect(one).not_to_have_class(COMPLETED)
    expect(help_dialog(page)).to_be_hidden()
    page.keyboard.press("Enter")
    expect(one.locator("label.title")).to_have_text("One njkx?e")
    expect(one).not_to_have_class(COMPLETED)


def test_keys_typed_on_the_edit_page_are_text(page: Page, base_url: str) -> None:
    with_todos(page, "One")
    row(page, "One").locator("a.edit-link").click()
    field = page.get_by_label("Title")
    expect_focused(page, field)  # autofocus
    edit_url = page.url
    page.keyboard.press("End")
    page.keyboard.type(" njkx?e/")
    expect(field).to_have_value("One njkx?e/")
    expect(help_dialog(page)).to_be_hidden()
    assert page.url == edit_url


# -- the help dialog --


def test_question_mark_opens_the_help_and_escape_closes_it(page: Page) -> None:
    with_todos(page, "One", "Two")
    title = title_of(page, "Two")
    title.focus()
    dialog = help_dialog(page)
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    expect(dialog.locator("dt kbd")).to_have_text(KEYS)
    # The focus is in the dialog, which is modal.
    expect_focused(page, dialog.get_by_role("button", name="Close"))
    assert_no_violations(page, "the shortcuts dialog")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_focused(page, title)


def test_the_close_button_closes_the_help_and_focus_returns(page: Page) -> None:
    with_todos(page, "One")
    focus_nothing(page)
    page.keyboard.press("j")
    page.keyboard.press("?")
    dialog = help_dialog(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect_focused(page, title_of(page, "One"))
    # The shortcuts work again once it is closed.
    page.keyboard.press("x")
    expect(row(page, "One")).to_have_class(COMPLETED)


def test_no_shortcut_acts_while_the_help_is_open(page: Page) -> None:
    with_todos(page, "One")
    title = title_of(page, "One")
    title.focus()
    page.keyboard.press("?")
    dialog = help_dialog(page)
    expect(dialog).to_be_visible()
    posts = RequestLog(page)
    for key in ("j", "k", "x", "n", "/", "z", "?"):
        page.keyboard.press(key)
    settle(page)
    expect(dialog).to_be_visible()
    expect_focused(page, dialog.get_by_role("button", name="Close"))
    page.keyboard.press("e")
    settle(page)
    assert page.url.endswith("/")
    assert posts.seen == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_focused(page, title)
    expect(row(page, "One")).not_to_have_class(COMPLETED)


def test_the_help_opens_on_other_signed_in_pages(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/account")
    page.keyboard.press("?")
    dialog = help_dialog(page)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_without_javascript_the_help_stays_hidden(new_page: PageMaker, base_url: str) -> None:
    page = new_page(java_script_enabled=False)
    dialog = page.locator("dialog#shortcuts-help")
    expect(dialog).to_have_count(1)
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_hidden()
    page.locator("input.new-todo").fill("One")
    with page.expect_navigation():
        page.locator("input.new-todo").press("Enter")
    page.locator("ul.todo-list > li label.title").first.focus()
    page.keyboard.press("?")
    page.keyboard.press("x")
    expect(dialog).to_be_hidden()
    expect(rows(page).first).not_to_have_class(COMPLETED)
    assert re.fullmatch(rf"{re.escape(base_url)}/(#todo-\d+)?", page.url)


def test_signed_out_pages_have_no_help(new_page: PageMaker, base_url: str) -> None:
    page = new_page(signed_up=False)
    page.goto(f"{base_url}/login")
    expect(page.locator("dialog")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_have_count(0)
