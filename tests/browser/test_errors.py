"""Errors the user must see: refused input, no network, a server error; no double submits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    FAILED_RESOURCE,
    RequestLog,
    add,
    counter,
    rows,
    settle,
    titles,
)

if TYPE_CHECKING:
    from playwright.sync_api import Route

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

TOGGLE = "**/todos/*/toggle*"
CREATE = "**/todos"


def messages(page: Page) -> str:
    return page.locator("#messages").inner_text()


def test_a_201_character_title_shows_its_message_inline_and_adds_nothing(
    page: Page, new_page: PageMaker
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the 422
    add(page, "Existing")
    new_todo = page.locator("input.new-todo")
    # The field itself stops at 200 characters...
    new_todo.fill("x" * 201)
    expect(new_todo).to_have_value("x" * 200)
    # ...and without that limit (an old browser, a crafted page) the server refuses it.
    new_todo.evaluate("el => el.removeAttribute('maxlength')")
    new_todo.fill("x" * 201)
    new_todo.press("Enter")

    error = page.locator("#new-title-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("200")
    new_todo = page.locator("input.new-todo")
    expect(new_todo).to_have_attribute("aria-invalid", "true")
    expect(new_todo).to_have_accessible_description(error.inner_text())
    expect(new_todo).to_be_focused()
    expect(new_todo).to_have_value("x" * 201)  # kept, to be fixed
    expect(titles(page)).to_have_text(["Existing"])
    expect(counter(page)).to_have_text("1 item left")

    # Fixing it adds the todo and clears the message.
    new_todo.fill("Fixed")
    new_todo.press("Enter")
    expect(titles(page)).to_have_text(["Existing", "Fixed"])
    expect(error).to_have_count(0)
    expect(page.locator("input.new-todo")).to_have_value("")

    page.reload()
    expect(titles(page)).to_have_text(["Existing", "Fixed"])


def test_a_network_failure_shows_a_message_and_undoes_the_toggle(
    page: Page, new_page: PageMaker
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    new_page.allow_errors(r"htmx:error")  # htmx logs the failed fetch
    add(page, "Offline")
    page.route(TOGGLE, lambda route: route.abort("internetdisconnected"))
    # (click, not check: the failure unticks the box at once, which check() would refuse)
    page.locator("input.toggle").first.click()

    expect(page.locator("#messages [role=alert]")).to_contain_text("Could not reach the server")
    expect(page.locator("input.toggle").first).not_to_be_checked()
    expect(rows(page).first).not_to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("1 item left")

    # Back online: the next action works and clears the message.
    page.unroute(TOGGLE)
    page.locator("input.toggle").first.check()
    expect(rows(page).first).to_have_class(COMPLETED)
    expect(page.locator("#messages")).to_be_empty()
    page.reload()
    expect(rows(page).first).to_have_class(COMPLETED)


def test_a_network_failure_when_adding_keeps_the_text(page: Page, new_page: PageMaker) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    new_page.allow_errors(r"htmx:error")
    page.route(CREATE, lambda route: route.abort("connectionrefused"))
    page.locator("input.new-todo").fill("Not lost")
    page.locator("input.new-todo").press("Enter")
    expect(page.locator("#messages [role=alert]")).to_contain_text("Could not reach the server")
    expect(page.locator("input.new-todo")).to_have_value("Not lost")
    expect(rows(page)).to_have_count(0)

    page.unroute(CREATE)
    page.locator("input.new-todo").press("Enter")
    expect(titles(page)).to_have_text(["Not lost"])


def test_a_failed_inline_edit_stays_open_to_retry(page: Page, new_page: PageMaker) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    new_page.allow_errors(r"htmx:error")
    add(page, "Before")
    page.route("**/todos/*", lambda route: route.abort("failed"))
    rows(page).first.locator("label.title").dblclick()
    edit = rows(page).first.locator("input.edit")
    edit.fill("After")
    edit.press("Enter")
    expect(page.locator("#messages [role=alert]")).to_contain_text("Could not reach the server")
    expect(edit).to_be_visible()
    expect(edit).to_have_value("After")

    page.unroute("**/todos/*")
    edit.press("Enter")
    expect(titles(page)).to_have_text(["After"])
    page.reload()
    expect(titles(page)).to_have_text(["After"])


def test_a_server_error_shows_a_message_and_leaves_the_row(page: Page, new_page: PageMaker) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    add(page, "Still here")
    # What a proxy in front of the app might answer: not our error fragment.
    page.route(
        TOGGLE,
        lambda route: route.fulfill(
            status=500, content_type="text/plain", body="Internal Server Error"
        ),
    )
    page.locator("input.toggle").first.click()

    alert = page.locator("#messages [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Something went wrong (error 500)")
    expect(titles(page)).to_have_text(["Still here"])
    expect(page.get_by_text("Internal Server Error")).to_have_count(0)
    expect(page.locator("input.toggle").first).not_to_be_checked()
    page.unroute(TOGGLE)
    page.reload()
    expect(rows(page).first).not_to_have_class(COMPLETED)


def test_a_server_error_when_deleting_keeps_the_row(page: Page, new_page: PageMaker) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    add(page, "Undeletable")
    page.route(
        "**/todos/*/delete*",
        lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>Bad</h1>"),
    )
    page.locator("button.destroy").first.click()
    expect(page.locator("#messages [role=alert]")).to_contain_text("error 502")
    expect(titles(page)).to_have_text(["Undeletable"])


def test_the_servers_own_error_message_is_shown(page: Page, new_page: PageMaker) -> None:
    """A refused CSRF token: the server's 403 message lands in #messages."""
    new_page.allow_errors(FAILED_RESOURCE)
    add(page, "Protected")
    page.locator('meta[name="csrf-token"]').evaluate("el => el.content = 'forged'")
    page.locator("input.toggle").first.click()
    alert = page.locator("#messages [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Reload the page")
    expect(alert).not_to_contain_text("Something went wrong (error")  # the server's own words
    expect(page.locator("input.toggle").first).not_to_be_checked()
    expect(rows(page).first).not_to_have_class(COMPLETED)
    page.reload()
    expect(rows(page).first).not_to_have_class(COMPLETED)


def test_a_second_enter_while_adding_sends_no_second_request(page: Page) -> None:
    held: list[Route] = []
    page.route(CREATE, lambda route: held.append(route))
    posts = RequestLog(page, "POST", "/todos")
    new_todo = page.locator("input.new-todo")
    new_todo.fill("Only once")
    new_todo.press("Enter")
    page.wait_for_function("document.querySelector('#new-todo-form.htmx-request') !== null")
    new_todo.press("Enter")
    page.locator("#new-todo-form").evaluate("form => form.requestSubmit()")
    settle(page)
    assert len(posts) == 1, posts.seen

    held[0].continue_()
    expect(titles(page)).to_have_text(["Only once"])
    page.unroute(CREATE)
    page.reload()
    expect(titles(page)).to_have_text(["Only once"])
    assert len(posts) == 1, posts.seen


def test_a_second_click_while_deleting_sends_no_second_request(page: Page) -> None:
    add(page, "Delete once")
    add(page, "Keep")
    held: list[Route] = []
    page.route("**/todos/*/delete*", lambda route: held.append(route))
    posts = RequestLog(page, "POST", r"/todos/\d+/delete")
    destroy = rows(page).first.locator("button.destroy")
    destroy.click()
    page.wait_for_function("document.querySelector('.destroy-form.htmx-request') !== null")
    destroy.click()
    settle(page)
    assert len(posts) == 1, posts.seen

    held[0].continue_()
    expect(titles(page)).to_have_text(["Keep"])
    page.unroute("**/todos/*/delete*")
    page.reload()
    expect(titles(page)).to_have_text(["Keep"])
