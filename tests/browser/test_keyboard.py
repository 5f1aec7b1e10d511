"""Keyboard-only use, and where the focus lands after each change."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    EDITING,
    add,
    assert_forms_carry_the_filter,
    counter,
    focused_description,
    row,
    rows,
    settle,
    tab_to,
    titles,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Route

pytestmark = pytest.mark.browser


def type_todo(page: Page, title: str) -> None:
    count = rows(page).count()
    page.keyboard.type(title)
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(count + 1)


def expect_focused(page: Page, locator: Locator) -> None:
    try:
        expect(locator).to_be_focused()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nfocus is on {focused_description(page)}") from None


def expect_visibly_focused(control: Locator) -> None:
    """Focused, shown (not hover-only, not transparent) and with a focus ring."""
    expect(control).to_be_focused()
    expect(control).to_be_visible()
    expect(control).to_be_in_viewport()
    style = control.evaluate(
        """el => { const s = getComputedStyle(el);
                   return {opacity: s.opacity, visibility: s.visibility,
                           outline: s.outlineStyle, width: s.outlineWidth}; }"""
    )
    assert float(style["opacity"]) == 1, style
    assert style["visibility"] == "visible", style
    assert style["outline"] != "none", style
    assert style["width"] != "0px", style


def test_keyboard_alone_adds_toggles_edits_deletes_and_filters(page: Page, base_url: str) -> None:
    expect(page.locator("input.new-todo")).to_be_focused()
    type_todo(page, "Buy milk")
    type_todo(page, "Call Sam")
    type_todo(page, "Walk the dog")
    expect(titles(page)).to_have_text(["Buy milk", "Call Sam", "Walk the dog"])
    expect(page.locator("input.new-todo")).to_be_focused()

    # Toggle: Tab to the row's checkbox, Space.
    milk = row(page, "Buy milk")
    tab_to(page, milk.locator("input.toggle"))
    expect_visibly_focused(milk.locator("input.toggle"))
    page.keyboard.press("Space")
    expect(milk).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")

    # Edit: Tab on to the title, F2 opens the field, Enter saves.
    tab_to(page, milk.locator("label.title"))
    expect_visibly_focused(milk.locator("label.title"))
    page.keyboard.press("F2")
    expect(milk).to_have_class(EDITING)
    expect(milk.locator("input.edit")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Buy oat milk")
    page.keyboard.press("Enter")
    oat = row(page, "Buy oat milk")
    expect(oat).not_to_have_class(EDITING)
    expect(oat).to_have_class(COMPLETED)
    # Enter on the title is the other way in; Escape leaves without saving.
    expect(oat.locator("label.title")).to_be_focused()
    page.keyboard.press("Enter")
    expect(oat.locator("input.edit")).to_be_focused()
    page.keyboard.type(" and bread")
    page.keyboard.press("Escape")
    expect(oat.locator("label.title")).to_be_focused()

    # Delete: the destroy button is a Tab stop, visible when focused; Enter presses it.
    sam = row(page, "Call Sam")
    tab_to(page, sam.locator("button.destroy"))
    expect_visibly_focused(sam.locator("button.destroy"))
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["Buy oat milk", "Walk the dog"])
    expect(counter(page)).to_have_text("1 item left")

    # Filters: links reached by Tab, followed with Enter.
    tab_to(page, page.get_by_role("link", name="Active", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/active")
    expect(titles(page)).to_have_text(["Walk the dog"])
    expect(page.locator("input.new-todo")).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Completed", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/completed")
    expect(titles(page)).to_have_text(["Buy oat milk"])

    page.reload()
    expect(titles(page)).to_have_text(["Buy oat milk"])
    expect(rows(page).first).to_have_class(COMPLETED)


def test_every_row_control_is_reached_by_tab_in_order(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    page.locator("input.new-todo").focus()
    expected = [
        page.locator("input.toggle-all"),
        row(page, "One").locator("input.toggle"),
        row(page, "One").locator("label.title"),
        row(page, "One").locator("a.edit-link"),
        row(page, "One").locator("button.destroy"),
        row(page, "Two").locator("input.toggle"),
    ]
    tab_to(page, expected[0])
    for control in expected[1:]:
        page.keyboard.press("Tab")
        expect_focused(page, control)


# -- focus after each swap --


def test_focus_stays_on_the_checkbox_after_a_toggle(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    toggle = row(page, "One").locator("input.toggle")
    toggle.focus()
    page.keyboard.press("Space")
    expect(row(page, "One")).to_have_class(COMPLETED)
    expect_focused(page, toggle)
    page.keyboard.press("Space")
    expect(row(page, "One")).not_to_have_class(COMPLETED)
    expect_focused(page, toggle)


def test_focus_moves_to_a_neighbour_after_delete_then_to_the_new_todo_field(page: Page) -> None:
    for title in ("One", "Two", "Three"):
        add(page, title)
    # The next row's delete button, so several can go one after another...
    row(page, "Two").locator("button.destroy").focus()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["One", "Three"])
    expect_focused(page, row(page, "Three").locator("button.destroy"))
    # ...the previous one when the last row goes...
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["One"])
    expect_focused(page, row(page, "One").locator("button.destroy"))
    # ...and the new-todo field when no row is left.
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(0)
    expect_focused(page, page.locator("input.new-todo"))
    expect(page.locator("footer.footer")).to_be_hidden()


def test_focus_returns_to_the_title_after_saving_or_cancelling_an_edit(page: Page) -> None:
    add(page, "One")
    label = rows(page).first.locator("label.title")
    label.dblclick()
    page.keyboard.type(" more")
    page.keyboard.press("Enter")
    expect(label).to_have_text("One more")
    expect_focused(page, label)

    page.keyboard.press("Enter")
    expect(rows(page).first).to_have_class(EDITING)
    page.keyboard.press("Escape")
    expect(rows(page).first).not_to_have_class(EDITING)
    expect_focused(page, label)

    # Saving with no change sends nothing and still leaves focus on the title.
    page.keyboard.press("F2")
    page.keyboard.press("Enter")
    expect(rows(page).first).not_to_have_class(EDITING)
    expect_focused(page, label)


def test_a_blur_save_leaves_focus_where_the_user_put_it(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    rows(page).first.locator("label.title").dblclick()
    page.keyboard.type(" edited")
    page.locator("input.new-todo").click()
    expect(titles(page)).to_have_text(["One edited", "Two"])
    expect_focused(page, page.locator("input.new-todo"))


def test_an_add_keeps_focus_in_the_field_unless_the_user_moved_on(page: Page) -> None:
    add(page, "One")
    expect_focused(page, page.locator("input.new-todo"))

    held: list[Route] = []
    page.route("**/todos", lambda route: held.append(route))
    page.locator("input.new-todo").fill("Two")
    page.locator("input.new-todo").press("Enter")
    page.wait_for_function("document.querySelector('#new-todo-form.htmx-request') !== null")
    moved_to = row(page, "One").locator("input.toggle")
    moved_to.focus()
    held[0].continue_()
    expect(titles(page)).to_have_text(["One", "Two"])
    expect(page.locator("input.new-todo")).to_have_value("")
    settle(page)
    expect_focused(page, moved_to)
    page.unroute("**/todos")


def test_focus_after_toggle_all_and_clear_completed(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    toggle_all = page.locator("input.toggle-all")
    toggle_all.focus()
    page.keyboard.press("Space")
    expect(counter(page)).to_have_text("0 items left")
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect_focused(page, toggle_all)

    # The button goes away with the completed todos: focus moves to the new-todo field.
    clear = page.get_by_role("button", name="Clear completed")
    clear.focus()
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(0)
    expect(clear).to_have_count(0)
    expect_focused(page, page.locator("input.new-todo"))


def test_focus_moves_to_a_neighbour_when_a_toggle_leaves_the_filter(
    page: Page, base_url: str
) -> None:
    add(page, "One")
    add(page, "Two")
    page.goto(f"{base_url}/active")
    assert_forms_carry_the_filter(page, "active")
    rows(page).first.locator("input.toggle").focus()
    page.keyboard.press("Space")
    expect(titles(page)).to_have_text(["Two"])
    expect_focused(page, row(page, "Two").locator("input.toggle"))
    page.keyboard.press("Space")
    expect(rows(page)).to_have_count(0)
    expect_focused(page, page.locator("input.new-todo"))
    expect(counter(page)).to_have_text(re.compile("^0 items left$"))
