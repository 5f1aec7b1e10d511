"""Forgiving and recovering, in a real browser: Undo, a row deleted in another tab,
several tabs of one account, a slow add."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    PASSWORD,
    add,
    add_many,
    assert_same_page,
    counter,
    mark_page,
    row,
    rows,
    sign_up,
    titles,
)

if TYPE_CHECKING:
    from playwright.sync_api import Route

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser


def toast(page: Page) -> object:
    return page.locator("#messages .toast")


def test_delete_offers_undo_in_view_and_undo_puts_the_row_back_in_place(page: Page) -> None:
    for title in ("One", "Two", "Three"):
        add(page, title)
    row(page, "Two").locator("input.toggle").click()
    expect(row(page, "Two")).to_have_class(COMPLETED)
    mark_page(page)

    row(page, "Two").hover()
    row(page, "Two").get_by_role("button", name="Delete “Two”").click()
    expect(titles(page)).to_have_text(["One", "Three"])
    message = page.locator("#messages .toast")
    expect(message).to_contain_text("Deleted “Two”.")
    expect(message).to_be_in_viewport()
    page.locator("#messages").get_by_role("button", name="Undo", exact=True).click()

    expect(titles(page)).to_have_text(["One", "Two", "Three"])
    expect(row(page, "Two")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")
    expect(message).to_contain_text("Restored.")
    assert_same_page(page)


def test_clear_completed_can_be_undone(page: Page) -> None:
    for title in ("One", "Two", "Three"):
        add(page, title)
    for title in ("One", "Three"):
        row(page, title).locator("input.toggle").click()
        expect(row(page, title)).to_have_class(COMPLETED)
    page.get_by_role("button", name="Clear completed").click()
    expect(titles(page)).to_have_text(["Two"])
    expect(page.locator("#messages .toast")).to_contain_text("Deleted 2 completed todos.")
    page.locator("#messages").get_by_role("button", name="Undo", exact=True).click()
    expect(titles(page)).to_have_text(["One", "Two", "Three"])


def test_the_next_action_ends_the_undo_offer(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    row(page, "One").hover()
    row(page, "One").get_by_role("button", name="Delete “One”").click()
    expect(page.locator("#messages").get_by_role("button", name="Undo")).to_be_visible()
    row(page, "Two").locator("input.toggle").click()
    expect(row(page, "Two")).to_have_class(COMPLETED)
    expect(page.locator("#messages").get_by_role("button", name="Undo")).to_have_count(0)


def test_undo_works_without_javascript(new_page: PageMaker) -> None:
    page = new_page(java_script_enabled=False)
    for title in ("One", "Two"):
        page.locator("input.new-todo").fill(title)
        with page.expect_navigation():
            page.locator("input.new-todo").press("Enter")
    with page.expect_navigation():
        row(page, "One").get_by_role("button", name="Delete “One”").click()
    expect(titles(page)).to_have_text(["Two"])
    expect(page.locator("#messages .toast")).to_contain_text("Deleted “One”.")
    with page.expect_navigation():
        page.locator("#messages").get_by_role("button", name="Undo", exact=True).click()
    expect(titles(page)).to_have_text(["One", "Two"])
    expect(page).to_have_url(re.compile(r"/#todo-\d+$"))
    expect(page.locator("#messages .toast")).to_contain_text("Restored.")


def test_ticking_a_todo_deleted_in_another_tab_removes_it_with_a_message_in_view(
    new_page: PageMaker, base_url: str
) -> None:
    new_page.allow_errors(r"status of 404")  # Chromium logs the answer for the gone todo
    here = new_page()
    elsewhere = new_page()  # the same account, another tab (it empties the list first)
    for n in range(30):
        add(elsewhere, f"Todo {n}")
    here.reload()
    expect(rows(here)).to_have_count(30)
    last = row(here, "Todo 29")
    last.scroll_into_view_if_needed()

    elsewhere.reload()
    row(elsewhere, "Todo 29").hover()
    row(elsewhere, "Todo 29").get_by_role("button", name="Delete “Todo 29”").click()
    expect(rows(elsewhere)).to_have_count(29)

    last.locator("input.toggle").click()
    alert = here.get_by_role("alert")
    expect(alert).to_contain_text("That todo does not exist.")
    expect(alert).to_be_in_viewport()
    expect(row(here, "Todo 29")).to_have_count(0)
    expect(rows(here)).to_have_count(29)


def test_several_tabs_of_one_account_never_see_a_403(new_page: PageMaker, base_url: str) -> None:
    new_page.allow_errors(r"Failed to load resource")
    first = new_page(signed_up=False)
    # A login tab, opened before signing up (and so logging in) in another tab.
    login_tab = first.context.new_page()
    login_tab.goto(f"{base_url}/login")
    email = sign_up(first, base_url)
    add(first, "Shared")

    login_tab.get_by_label("Email").fill(email)
    login_tab.get_by_label("Password").fill(PASSWORD)
    login_tab.get_by_role("button", name="Log in").click()
    expect(login_tab).to_have_url(f"{base_url}/")
    expect(titles(login_tab)).to_have_text(["Shared"])

    # Log out in one tab; the other tab's next action goes to the login page with a word.
    login_tab.get_by_role("button", name="Log out").click()
    expect(login_tab).to_have_url(f"{base_url}/login")
    expect(login_tab.locator("#messages")).to_contain_text("You are logged out.")
    row(first, "Shared").locator("input.toggle").click()
    expect(first).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(first.locator("#messages")).to_contain_text("Your session ended, please log in again.")

    # "Log out" on a page from before the logout lands on the login page too.
    login_tab.goto(f"{base_url}/login")
    first.get_by_label("Email").fill(email)
    first.get_by_label("Password").fill(PASSWORD)
    first.get_by_role("button", name="Log in").click()
    expect(first).to_have_url(f"{base_url}/")
    stale = first.context.new_page()
    stale.goto(f"{base_url}/")
    first.get_by_role("button", name="Log out").click()
    expect(first).to_have_url(f"{base_url}/login")
    stale.get_by_role("button", name="Log out").click()
    expect(stale).to_have_url(f"{base_url}/login")
    expect(stale.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_slow_add_keeps_the_text_and_says_it_is_busy(page: Page) -> None:
    held: list[Route] = []
    page.route("**/todos", lambda route: held.append(route))
    page.locator("input.new-todo").fill("Slow one")
    page.locator("input.new-todo").press("Enter")
    form = page.locator("#new-todo-form")
    expect(form).to_have_attribute("aria-busy", "true")
    expect(page.locator("input.new-todo")).to_have_value("Slow one")
    expect(page.locator("input.new-todo")).not_to_be_editable()
    held[0].continue_()
    expect(titles(page)).to_have_text(["Slow one"])
    expect(page.locator("#new-todo-form")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("input.new-todo")).to_have_value("")
    expect(page.locator("input.new-todo")).to_be_editable()


def test_inline_edit_of_a_todo_deleted_elsewhere_removes_the_row_and_stays(
    new_page: PageMaker,
) -> None:
    new_page.allow_errors(r"status of 404")
    here = new_page()
    elsewhere = new_page()
    add(elsewhere, "One")
    add(elsewhere, "Two")
    here.reload()
    mark_page(here)
    row(elsewhere, "Two").hover()
    row(elsewhere, "Two").get_by_role("button", name="Delete “Two”").click()
    expect(rows(elsewhere)).to_have_count(1)

    row(here, "Two").locator("label.title").dblclick()
    row(here, "Two").locator("input.edit").fill("Two, renamed")
    row(here, "Two").locator("input.edit").press("Enter")
    expect(here.get_by_role("alert")).to_contain_text("That todo does not exist.")
    expect(titles(here)).to_have_text(["One"])
    assert_same_page(here)


def test_undo_from_the_keyboard_puts_focus_on_the_restored_row(page: Page) -> None:
    add(page, "One")
    add(page, "Two")
    page.get_by_role("button", name="Delete “One”").focus()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["Two"])
    expect(page.get_by_role("button", name="Undo")).to_have_attribute("aria-keyshortcuts", "z")
    page.keyboard.press("z")
    expect(titles(page)).to_have_text(["One", "Two"])
    expect(row(page, "One").locator("input.toggle")).to_be_focused()


def test_undo_after_show_more_keeps_every_row_loaded(page: Page, base_url: str) -> None:
    add_many(page, [f"Item {n:02}" for n in range(1, 56)])
    page.reload()
    expect(rows(page)).to_have_count(50)
    page.get_by_role("link", name="Show more").click()
    expect(rows(page)).to_have_count(55)
    row(page, "Item 53").hover()
    row(page, "Item 53").get_by_role("button", name="Delete “Item 53”").click()
    expect(rows(page)).to_have_count(54)
    page.locator("#messages").get_by_role("button", name="Undo").click()
    expect(rows(page)).to_have_count(55)
    expect(titles(page).first).to_have_text("Item 01")
    expect(titles(page).nth(52)).to_have_text("Item 53")
    # The rows "Show more" brought belong to the first page: their forms say so.
    action = row(page, "Item 53").locator("form.toggle-form").get_attribute("action")
    assert action is not None
    assert "after=" not in action


def test_the_undo_offer_stays_while_undo_is_on_the_way(page: Page) -> None:
    add(page, "One")
    row(page, "One").hover()
    row(page, "One").get_by_role("button", name="Delete “One”").click()
    expect(rows(page)).to_have_count(0)
    held: list[Route] = []
    page.route("**/deletions/*/undo*", lambda route: held.append(route))
    page.locator("#messages").get_by_role("button", name="Undo").click()
    page.wait_for_timeout(200)  # the request is held; the page shows its state meanwhile
    assert len(held) == 1
    expect(page.locator("#messages .toast")).to_contain_text("Deleted “One”.")
    expect(page.locator("#messages").get_by_role("button", name="Undo")).to_have_count(1)
    held[0].continue_()
    expect(titles(page)).to_have_text(["One"])
    expect(page.locator("#messages .toast")).to_contain_text("Restored.")
