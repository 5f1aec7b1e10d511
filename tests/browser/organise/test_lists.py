"""Lists in a real Chromium, with and without JavaScript: adding a list from the
navigation, todos in it, the navigation's counts, filters, renaming, deleting with Undo,
moving a todo from the edit page, refused names, two tabs, screenshots and axe-core.

The package's one account is shared by every browser test: each test here starts with
no list but the Inbox and deletes its lists when it ends, so other tests see the Inbox
only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import (
    COMPLETED,
    FAILED_RESOURCE,
    VIEWPORTS,
    RequestLog,
    add,
    assert_no_violations,
    assert_same_page,
    counter,
    mark_page,
    post_form,
    row,
    rows,
    settle,
    shoot,
    titles,
)
from tests.browser.organise.helpers import (
    click_and_wait,
    second_tab,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

LIST_PATH = re.compile(r"/lists/(\d+)$")
NO_LIST = "That list does not exist."
EMPTY_NAME = "Please enter a name for the list."
# What a 404 says of a todo that can't be used: the general words, or the todo's own.
TODO_GONE = re.compile(r"the todo deleted\.|That todo does not exist\.")


# -- set-up: no list but the Inbox, before and after each test --


# -- finding things --


def lists_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Lists")


def nav_names(page: Page) -> Locator:
    """The names of the lists in the navigation: the Inbox, then each list (other links
    the navigation may hold are not lists)."""
    return lists_nav(page).locator('a[href="/"] .list-name, a[href^="/lists/"] .list-name')


def nav_link(page: Page, name: str) -> Locator:
    exact = re.compile(f"^{re.escape(name)}$")
    return lists_nav(page).locator("a").filter(has=page.locator(".list-name", has_text=exact))


def current_list(page: Page) -> Locator:
    """The name of the navigation's link marked as the current page."""
    return lists_nav(page).locator("a[aria-current=page] .list-name")


def nav_count(page: Page, list_id: int | None) -> Locator:
    """A list's number of active todos in the navigation (None: the Inbox's), by the id
    that htmx answers update out of band."""
    if list_id is None:
        return nav_link(page, "Inbox").locator("[id^=nav-count-]")
    return lists_nav(page).locator(f"#nav-count-{list_id}")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def message(page: Page) -> Locator:
    return page.locator("#messages")


def list_id_of(page: Page) -> int:
    match = LIST_PATH.search(page.url.split("#")[0].split("?")[0])
    assert match, f"not a list's page: {page.url}"
    return int(match.group(1))


def at_row(url: str) -> re.Pattern[str]:
    """`url`, or `url` at a row (`#todo-N`): plain forms come back to the row they acted on."""
    return re.compile(re.escape(url) + r"(#todo-\d+)?$")


# -- doing things as a person would --


def add_list(page: Page, name: str) -> int:
    """Add a list with the navigation's form (a plain form, with or without JavaScript);
    ends on the new list's page. Returns its id."""
    page.get_by_label("List name").fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Add list").click()
    expect(page).to_have_url(LIST_PATH)
    expect(heading(page)).to_have_text(name.strip())
    return list_id_of(page)


def open_list(page: Page, name: str) -> None:
    with page.expect_navigation():
        nav_link(page, name).click()
    expect(current_list(page)).to_have_text([name])


def open_settings(page: Page) -> None:
    page.get_by_text("Rename or delete this list").click()
    expect(page.get_by_label("New name")).to_be_visible()


def add_plain(page: Page, title: str) -> None:
    """Add a todo without JavaScript: the form posts, the page comes back."""
    page.locator("input.new-todo").fill(title)
    with page.expect_navigation():
        page.locator("input.new-todo").press("Enter")
    expect(row(page, title.strip())).to_have_count(1)


def add_to_list(page: Page, base_url: str, list_id: int, *todo_titles: str) -> None:
    """Add todos to a list with the plain form's request (quicker than typing)."""
    for title in todo_titles:
        post_form(page, f"{base_url}/todos?list={list_id}", title=title)


# -- with JavaScript --


def test_a_new_list_opens_as_the_current_page_and_keeps_its_own_todos(
    page: Page, base_url: str
) -> None:
    expect(nav_names(page)).to_have_text(["Inbox"])
    expect(current_list(page)).to_have_text(["Inbox"])
    expect(heading(page)).to_have_text("todos")

    list_id = add_list(page, "  Groceries ")
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(page).to_have_title("All · Groceries · todos")
    expect(nav_names(page)).to_have_text(["Inbox", "Groceries"])
    expect(current_list(page)).to_have_text(["Groceries"])
    expect(nav_link(page, "Groceries")).to_have_attribute("aria-current", "page")
    expect(rows(page)).to_have_count(0)
    expect(nav_count(page, list_id)).to_have_text("")

    mark_page(page)
    add(page, "Milk")
    add(page, "Eggs")
    expect(titles(page)).to_have_text(["Milk", "Eggs"])
    expect(counter(page)).to_have_text("2 items left")
    expect(nav_count(page, list_id)).to_have_text("2 to do")
    expect(nav_count(page, None)).to_have_text("")
    assert_same_page(page)

    open_list(page, "Inbox")
    expect(page).to_have_url(f"{base_url}/")
    expect(heading(page)).to_have_text("todos")
    expect(rows(page)).to_have_count(0)
    expect(nav_count(page, list_id)).to_have_text("2 to do")

    open_list(page, "Groceries")
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(titles(page)).to_have_text(["Milk", "Eggs"])


def test_the_navigation_counts_follow_each_change_without_a_reload(
    page: Page, base_url: str
) -> None:
    list_id = add_list(page, "Work")
    mark_page(page)
    add(page, "Report")
    expect(nav_count(page, list_id)).to_have_text("1 to do")
    add(page, "Slides")
    expect(nav_count(page, list_id)).to_have_text("2 to do")

    row(page, "Report").locator("input.toggle").check()
    expect(row(page, "Report")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("1 item left")
    expect(nav_count(page, list_id)).to_have_text("1 to do")
    row(page, "Report").locator("input.toggle").uncheck()
    expect(row(page, "Report")).not_to_have_class(COMPLETED)
    expect(nav_count(page, list_id)).to_have_text("2 to do")

    row(page, "Slides").hover()
    row(page, "Slides").get_by_role("button", name="Delete “Slides”").click()
    expect(titles(page)).to_have_text(["Report"])
    expect(nav_count(page, list_id)).to_have_text("1 to do")

    row(page, "Report").locator("input.toggle").check()
    expect(counter(page)).to_have_text("0 items left")
    # Nothing left to do: the number goes, rather than saying 0.
    expect(nav_count(page, list_id)).to_have_text("")
    expect(nav_count(page, None)).to_have_text("")
    assert_same_page(page)

    # The Inbox's own number, on its page.
    open_list(page, "Inbox")
    mark_page(page)
    add(page, "Inbox todo")
    expect(nav_count(page, None)).to_have_text("1 to do")
    expect(nav_count(page, list_id)).to_have_text("")
    assert_same_page(page)

    page.reload()
    expect(nav_count(page, None)).to_have_text("1 to do")
    expect(nav_count(page, list_id)).to_have_text("")
    open_list(page, "Work")
    expect(titles(page)).to_have_text(["Report"])
    expect(rows(page).first).to_have_class(COMPLETED)


def test_filters_on_a_list_page_stay_in_the_list(page: Page, base_url: str) -> None:
    add(page, "Inbox only")
    list_id = add_list(page, "Chores")
    add(page, "Dishes")
    add(page, "Laundry")
    row(page, "Laundry").locator("input.toggle").check()
    expect(counter(page)).to_have_text("1 item left")
    url = f"{base_url}/lists/{list_id}"

    click_and_wait(page, page.get_by_role("link", name="Active", exact=True))
    expect(page).to_have_url(f"{url}/active")
    expect(heading(page)).to_have_text("Chores")
    expect(current_list(page)).to_have_text(["Chores"])
    expect(titles(page)).to_have_text(["Dishes"])
    # Adding here adds to this list.
    add(page, "Vacuum")
    expect(titles(page)).to_have_text(["Dishes", "Vacuum"])
    expect(nav_count(page, list_id)).to_have_text("2 to do")

    click_and_wait(page, page.get_by_role("link", name="Completed", exact=True))
    expect(page).to_have_url(f"{url}/completed")
    expect(heading(page)).to_have_text("Chores")
    expect(titles(page)).to_have_text(["Laundry"])

    click_and_wait(page, page.get_by_role("link", name="All", exact=True))
    expect(page).to_have_url(url)
    expect(titles(page)).to_have_text(["Dishes", "Laundry", "Vacuum"])

    click_and_wait(page, page.get_by_role("link", name="Newest first"))
    expect(page).to_have_url(f"{url}?order=newest")
    expect(titles(page)).to_have_text(["Vacuum", "Laundry", "Dishes"])

    open_list(page, "Inbox")
    expect(titles(page)).to_have_text(["Inbox only"])


def test_rename_a_list(page: Page, base_url: str) -> None:
    list_id = add_list(page, "Shopping")
    add(page, "Bread")
    open_settings(page)
    expect(page.get_by_label("New name")).to_have_value("Shopping")
    page.get_by_label("New name").fill("  Errands  ")
    click_and_wait(page, page.get_by_role("button", name="Rename"))
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(heading(page)).to_have_text("Errands")
    expect(page).to_have_title("All · Errands · todos")
    expect(message(page)).to_have_text("Renamed the list to “Errands”.")
    expect(nav_names(page)).to_have_text(["Inbox", "Errands"])
    expect(current_list(page)).to_have_text(["Errands"])
    expect(titles(page)).to_have_text(["Bread"])
    expect(nav_count(page, list_id)).to_have_text("1 to do")


def test_delete_a_list_then_undo_brings_it_back_with_its_todos(page: Page, base_url: str) -> None:
    add(page, "Stays in the Inbox")
    list_id = add_list(page, "Trip")
    add(page, "Passport")
    add(page, "Tickets")
    row(page, "Tickets").locator("input.toggle").check()
    expect(nav_count(page, list_id)).to_have_text("1 to do")

    open_settings(page)
    click_and_wait(page, page.get_by_role("button", name="Delete list"))
    expect(page).to_have_url(f"{base_url}/")
    expect(message(page)).to_contain_text("Deleted the list “Trip” and its todos.")
    expect(nav_names(page)).to_have_text(["Inbox"])
    expect(heading(page)).to_have_text("todos")
    expect(titles(page)).to_have_text(["Stays in the Inbox"])

    message(page).get_by_role("button", name="Undo").click()
    page.wait_for_url(f"{base_url}/lists/{list_id}")
    expect(heading(page)).to_have_text("Trip")
    expect(message(page)).to_have_text("Restored the list.")
    expect(nav_names(page)).to_have_text(["Inbox", "Trip"])
    expect(current_list(page)).to_have_text(["Trip"])
    expect(titles(page)).to_have_text(["Passport", "Tickets"])
    expect(row(page, "Tickets")).to_have_class(COMPLETED)
    expect(row(page, "Passport")).not_to_have_class(COMPLETED)
    expect(nav_count(page, list_id)).to_have_text("1 to do")
    expect(counter(page)).to_have_text("1 item left")


def test_move_a_todo_to_another_list_from_the_edit_page(page: Page, base_url: str) -> None:
    list_id = add_list(page, "Family")
    open_list(page, "Inbox")
    add(page, "Call mom")
    add(page, "Pay rent")

    click_and_wait(page, page.get_by_role("link", name="Edit “Call mom”"))
    select = page.get_by_label("List", exact=True)
    expect(select.locator("option")).to_have_text(["Inbox", "Family"])
    expect(select.locator("option:checked")).to_have_text("Inbox")
    select.select_option(label="Family")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_url(at_row(f"{base_url}/"))
    expect(message(page)).to_have_text("Moved “Call mom” to Family.")
    expect(titles(page)).to_have_text(["Pay rent"])
    expect(nav_count(page, None)).to_have_text("1 to do")
    expect(nav_count(page, list_id)).to_have_text("1 to do")

    open_list(page, "Family")
    expect(titles(page)).to_have_text(["Call mom"])

    # And back, from the list's page: back on that page, now without it.
    click_and_wait(page, page.get_by_role("link", name="Edit “Call mom”"))
    expect(page.get_by_label("List", exact=True).locator("option:checked")).to_have_text("Family")
    page.get_by_label("List", exact=True).select_option(label="Inbox")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_url(at_row(f"{base_url}/lists/{list_id}"))
    expect(message(page)).to_have_text("Moved “Call mom” to Inbox.")
    expect(heading(page)).to_have_text("Family")
    expect(rows(page)).to_have_count(0)
    expect(nav_count(page, None)).to_have_text("2 to do")
    expect(nav_count(page, list_id)).to_have_text("")
    open_list(page, "Inbox")
    # Back in its place: oldest first.
    expect(titles(page)).to_have_text(["Call mom", "Pay rent"])


def test_a_blank_list_name_is_refused_next_to_the_field(
    page: Page, new_page: PageMaker, base_url: str
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the refused names' 422 pages
    field = page.get_by_label("List name")
    posts = RequestLog(page, "POST", r"/lists.*")

    # Empty: the browser's own check stops it; nothing is sent.
    field.fill("")
    page.get_by_role("button", name="Add list").click()
    assert field.evaluate("el => el.validity.valueMissing")
    settle(page)
    assert posts.seen == []
    expect(page).to_have_url(f"{base_url}/")

    # Only spaces pass `required`: the server says what is wrong, next to the field.
    field.fill("   ")
    click_and_wait(page, page.get_by_role("button", name="Add list"))
    assert posts.seen == ["/lists"]
    error = page.locator("#new-list-error")
    expect(error).to_have_text(EMPTY_NAME)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "new-list-error")
    expect(field).to_be_focused()
    expect(nav_names(page)).to_have_text(["Inbox"])
    assert_no_violations(page, "the list form with its error")

    # A name fixes it.
    list_id = add_list(page, "Named")
    expect(page.locator("#new-list-error")).to_have_count(0)

    # Renaming to only spaces: the same message, next to the "New name" field.
    open_settings(page)
    page.get_by_label("New name").fill("   ")
    click_and_wait(page, page.get_by_role("button", name="Rename"))
    expect(page.locator("details.list-settings")).to_have_attribute("open", "")
    expect(page.locator("#rename-list-error")).to_have_text(EMPTY_NAME)
    expect(page.get_by_label("New name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("New name")).to_have_attribute("aria-describedby", "rename-list-error")
    # The field with the error has the focus (the new-todo field doesn't ask for it then).
    expect(page.get_by_label("New name")).to_be_focused()
    expect(heading(page)).to_have_text("Named")
    expect(nav_names(page)).to_have_text(["Inbox", "Named"])
    assert_no_violations(page, "the rename form with its error")
    page.goto(f"{base_url}/lists/{list_id}")
    expect(heading(page)).to_have_text("Named")


def test_a_list_name_of_100_characters_works(
    page: Page, new_page: PageMaker, base_url: str
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the refused 101 characters' 422 page
    name = ("Things to pack for the long summer holiday by the sea " * 2)[:99] + "!"
    assert len(name) == 100
    assert name == name.strip()
    list_id = add_list(page, name)
    expect(heading(page)).to_have_text(name)
    expect(current_list(page)).to_have_text([name])
    expect(page).to_have_title(f"All · {name} · todos")
    add(page, "Sunscreen")
    expect(nav_count(page, list_id)).to_have_text("1 to do")

    # On a phone the long heading wraps within the screen.
    page.set_viewport_size(VIEWPORTS["phone"])
    box = heading(page).bounding_box()
    assert box, "no heading"
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]
    page.set_viewport_size(VIEWPORTS["desktop"])

    # The fields take no more than 100 characters, and the server refuses 101.
    field = page.get_by_label("List name")
    field.fill(name + "?")
    expect(field).to_have_value(name)
    field.evaluate("el => el.removeAttribute('maxlength')")
    field.fill(name + "?")
    click_and_wait(page, page.get_by_role("button", name="Add list"))
    expect(page.locator("#new-list-error")).to_have_text(
        "A list's name can be at most 100 characters long."
    )
    expect(nav_names(page)).to_have_text(["Inbox", name])


def test_a_list_deleted_in_another_tab(page: Page, new_page: PageMaker, base_url: str) -> None:
    """With JavaScript, an action in a tab still showing a list deleted in another tab
    says so in the message area; the page stays, nothing else changes."""
    new_page.allow_errors(FAILED_RESOURCE)  # the 404 answers
    list_id = add_list(page, "Shared")
    add(page, "First")
    add(page, "Second")

    other = second_tab(page, new_page)
    other.goto(f"{base_url}/lists/{list_id}")
    open_settings(other)
    click_and_wait(other, other.get_by_role("button", name="Delete list"))
    expect(message(other)).to_contain_text("Deleted the list “Shared” and its todos.")

    # Adding a todo to the stale page: a clear message, the page and the typed text stay.
    mark_page(page)
    page.locator("input.new-todo").fill("Third")
    page.locator("input.new-todo").press("Enter")
    alert = message(page).get_by_role("alert")
    expect(alert).to_have_text(NO_LIST)
    expect(titles(page)).to_have_text(["First", "Second"])
    expect(page.locator("input.new-todo")).to_have_value("Third")
    assert_same_page(page)

    # Ticking a todo of the deleted list: the row leaves, with a message.
    row(page, "First").locator("input.toggle").check()
    expect(alert).to_have_text(TODO_GONE)
    expect(titles(page)).to_have_text(["Second"])
    assert_same_page(page)

    # Following the navigation's link to it: the error page, with a way back.
    click_and_wait(page, nav_link(page, "Shared"))
    expect(heading(page)).to_have_text("We couldn't find that")
    expect(page.locator(".error-message")).to_have_text(NO_LIST)
    click_and_wait(page, page.get_by_role("link", name="Back to your todos"))
    expect(page).to_have_url(f"{base_url}/")
    expect(nav_names(page)).to_have_text(["Inbox"])


# -- without JavaScript --


def test_without_javascript_lists_todos_and_counts(plain: Page, base_url: str) -> None:
    page = plain
    add_plain(page, "Inbox todo")
    expect(nav_count(page, None)).to_have_text("1 to do")

    list_id = add_list(page, "Garden")
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(current_list(page)).to_have_text(["Garden"])
    add_plain(page, "Mow")
    add_plain(page, "Water")
    expect(page).to_have_url(at_row(f"{base_url}/lists/{list_id}"))
    expect(titles(page)).to_have_text(["Mow", "Water"])
    expect(nav_count(page, list_id)).to_have_text("2 to do")
    expect(nav_count(page, None)).to_have_text("1 to do")

    click_and_wait(page, row(page, "Mow").get_by_role("button", name="Done", exact=True))
    expect(row(page, "Mow")).to_have_class(COMPLETED)
    expect(nav_count(page, list_id)).to_have_text("1 to do")
    click_and_wait(page, row(page, "Water").get_by_role("button", name="Delete “Water”"))
    expect(titles(page)).to_have_text(["Mow"])
    expect(nav_count(page, list_id)).to_have_text("")
    page.reload()
    expect(nav_count(page, list_id)).to_have_text("")
    expect(nav_count(page, None)).to_have_text("1 to do")

    # Filters stay in the list.
    add_plain(page, "Weed")
    click_and_wait(page, page.get_by_role("link", name="Active", exact=True))
    expect(page).to_have_url(f"{base_url}/lists/{list_id}/active")
    expect(titles(page)).to_have_text(["Weed"])
    click_and_wait(page, row(page, "Weed").get_by_role("button", name="Done", exact=True))
    expect(page).to_have_url(at_row(f"{base_url}/lists/{list_id}/active"))
    expect(rows(page)).to_have_count(0)
    click_and_wait(page, page.get_by_role("link", name="Completed", exact=True))
    expect(page).to_have_url(f"{base_url}/lists/{list_id}/completed")
    expect(heading(page)).to_have_text("Garden")
    expect(titles(page)).to_have_text(["Mow", "Weed"])

    open_list(page, "Inbox")
    expect(titles(page)).to_have_text(["Inbox todo"])


def test_without_javascript_rename_delete_and_undo(plain: Page, base_url: str) -> None:
    page = plain
    list_id = add_list(page, "Books")
    add_plain(page, "Dune")
    add_plain(page, "Emma")
    click_and_wait(page, row(page, "Emma").get_by_role("button", name="Done", exact=True))

    open_settings(page)
    page.get_by_label("New name").fill("Novels")
    click_and_wait(page, page.get_by_role("button", name="Rename"))
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(heading(page)).to_have_text("Novels")
    expect(message(page)).to_have_text("Renamed the list to “Novels”.")
    expect(nav_names(page)).to_have_text(["Inbox", "Novels"])

    open_settings(page)
    click_and_wait(page, page.get_by_role("button", name="Delete list"))
    expect(page).to_have_url(f"{base_url}/")
    expect(message(page)).to_contain_text("Deleted the list “Novels” and its todos.")
    expect(nav_names(page)).to_have_text(["Inbox"])

    click_and_wait(page, message(page).get_by_role("button", name="Undo"))
    expect(page).to_have_url(f"{base_url}/lists/{list_id}")
    expect(message(page)).to_have_text("Restored the list.")
    expect(heading(page)).to_have_text("Novels")
    expect(titles(page)).to_have_text(["Dune", "Emma"])
    expect(row(page, "Emma")).to_have_class(COMPLETED)
    expect(nav_count(page, list_id)).to_have_text("1 to do")


def test_without_javascript_move_a_todo_and_a_blank_name(
    plain: Page, new_page: PageMaker, base_url: str
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # the refused name's 422 page
    page = plain
    list_id = add_list(page, "Later")
    add_plain(page, "Someday")
    add_plain(page, "Maybe")

    click_and_wait(page, page.get_by_role("link", name="Edit “Someday”"))
    page.get_by_label("List", exact=True).select_option(label="Inbox")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_url(at_row(f"{base_url}/lists/{list_id}"))
    expect(message(page)).to_have_text("Moved “Someday” to Inbox.")
    expect(titles(page)).to_have_text(["Maybe"])
    expect(nav_count(page, None)).to_have_text("1 to do")
    expect(nav_count(page, list_id)).to_have_text("1 to do")
    open_list(page, "Inbox")
    expect(titles(page)).to_have_text(["Someday"])

    page.get_by_label("List name").fill("   ")
    click_and_wait(page, page.get_by_role("button", name="Add list"))
    expect(page.locator("#new-list-error")).to_have_text(EMPTY_NAME)
    expect(page.get_by_label("List name")).to_have_attribute("aria-invalid", "true")
    expect(nav_names(page)).to_have_text(["Inbox", "Later"])


def test_without_javascript_a_list_deleted_in_another_tab(
    plain: Page, new_page: PageMaker, base_url: str
) -> None:
    """Without JavaScript, a todo added in a tab still showing a list deleted in another
    tab gets the app's own "not found" page (404), which names the problem and links
    back; the typed title is lost, and nothing offers the list's Undo."""
    new_page.allow_errors(FAILED_RESOURCE)  # the 404 page
    page = plain
    list_id = add_list(page, "Shared")
    add_plain(page, "First")

    other = second_tab(page, new_page)
    other.goto(f"{base_url}/lists/{list_id}")
    open_settings(other)
    click_and_wait(other, other.get_by_role("button", name="Delete list"))
    expect(message(other)).to_contain_text("Deleted the list “Shared” and its todos.")

    page.locator("input.new-todo").fill("Second")
    with page.expect_navigation():
        page.locator("input.new-todo").press("Enter")
    expect(heading(page)).to_have_text("We couldn't find that")
    expect(page.locator(".error-message")).to_have_text(NO_LIST)
    click_and_wait(page, page.get_by_role("link", name="Back to your todos"))
    expect(page).to_have_url(f"{base_url}/")
    expect(nav_names(page)).to_have_text(["Inbox"])
    expect(rows(page)).to_have_count(0)


# -- screenshots and axe-core --


def fill_lists(page: Page, base_url: str) -> int:
    """A few lists, todos in the Inbox and in "Groceries"; ends on "Groceries"."""
    add(page, "Renew the passport")
    groceries = add_list(page, "Groceries")
    add_list(page, "Work")
    add_list(page, "Books to read on the long winter evenings by the fire")
    add_to_list(page, base_url, groceries, "Oat milk", "Apples", "Coffee beans, the dark roast")
    page.goto(f"{base_url}/lists/{groceries}")
    row(page, "Apples").locator("input.toggle").check()
    expect(row(page, "Apples")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")
    expect(nav_count(page, groceries)).to_have_text("2 to do")
    expect(nav_count(page, None)).to_have_text("1 to do")
    page.locator("input.new-todo").blur()
    return groceries


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_a_list_page(
    open_page: Callable[..., Page], base_url: str, scheme: str, device: str
) -> None:
    page = open_page(viewport=VIEWPORTS[device], color_scheme=scheme)
    fill_lists(page, base_url)
    expect(current_list(page)).to_have_text(["Groceries"])
    shoot(page, f"lists-{scheme}-{device}")
    open_settings(page)
    page.get_by_label("New name").blur()
    shoot(page, f"lists-settings-{scheme}-{device}")


def test_on_a_phone_a_number_in_the_scrolled_lists_does_not_widen_the_page(
    open_page: Callable[..., Page], base_url: str
) -> None:
    """On a narrow screen the lists are a row of chips that scrolls sideways by itself.
    A chip past the screen's edge whose list has todos to do holds the number's words for
    screen readers, placed absolutely: the row clips them too (it is positioned), so the
    page itself never scrolls sideways."""
    phone = VIEWPORTS["phone"]["width"]
    page = open_page(viewport=VIEWPORTS["phone"])
    for name in ("Work", "Home", "Garden", "Books"):
        add_list(page, name)
    far = add_list(page, "Far along")
    expect(page.locator("html")).to_have_js_property("scrollWidth", phone)
    add_to_list(page, base_url, far, "Something to do")
    # On the Inbox's page (the current list is scrolled into view: this one isn't it).
    page.goto(f"{base_url}/")
    expect(nav_count(page, far)).to_have_text("1 to do")
    chip = nav_link(page, "Far along").bounding_box()
    assert chip, "no chip"
    assert chip["x"] > phone, "the chip should be past the screen's edge"
    assert page.evaluate("document.documentElement.scrollWidth") == phone


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_a_list_page(
    open_page: Callable[..., Page], base_url: str, scheme: str
) -> None:
    page = open_page(color_scheme=scheme)
    fill_lists(page, base_url)
    assert_no_violations(page, f"a list page ({scheme})")
    open_settings(page)
    assert_no_violations(page, f"a list page with its settings open ({scheme})")
    click_and_wait(page, page.get_by_role("link", name="Edit “Oat milk”"))
    assert_no_violations(page, f"the edit page with its List select ({scheme})")
