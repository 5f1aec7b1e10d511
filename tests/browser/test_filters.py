"""Toggle-all's state, the counter, filters (rows leaving them, reload, history), ordering."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    add,
    assert_forms_carry_the_filter,
    assert_same_page,
    counter,
    mark_page,
    row,
    rows,
    titles,
)

pytestmark = pytest.mark.browser


def test_the_counter_is_a_live_region_that_says_0_1_or_2_items_left(page: Page) -> None:
    add(page, "One")
    region = counter(page)
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_role("status")
    expect(region).to_have_text("1 item left")
    expect(region.locator("strong")).to_have_text("1")
    # Screen readers announce changes to a live region that stays in the page, not a
    # new one put in its place: the same element must carry every update.
    # (A property, not an attribute: a morph rewrites attributes to the server's.)
    region.evaluate("el => { el.sameRegion = true; }")

    add(page, "Two")
    expect(region).to_have_text("2 items left")
    rows(page).nth(0).locator("input.toggle").check()
    expect(region).to_have_text("1 item left")
    page.locator("input.toggle-all").check()
    expect(region).to_have_text("0 items left")
    page.locator("input.toggle-all").uncheck()
    expect(region).to_have_text("2 items left")
    rows(page).nth(1).locator("button.destroy").click()
    expect(region).to_have_text("1 item left")
    assert region.evaluate("el => el.sameRegion === true"), "the counter was replaced"

    page.reload()
    expect(counter(page)).to_have_text("1 item left")


def test_toggle_all_is_checked_exactly_when_every_todo_is_done(page: Page) -> None:
    toggle_all = page.locator("input.toggle-all")
    add(page, "One")
    add(page, "Two")
    expect(toggle_all).not_to_be_checked()

    rows(page).nth(0).locator("input.toggle").check()
    expect(rows(page).nth(0)).to_have_class(COMPLETED)
    expect(toggle_all).not_to_be_checked()
    rows(page).nth(1).locator("input.toggle").check()
    expect(rows(page).nth(1)).to_have_class(COMPLETED)
    expect(toggle_all).to_be_checked()
    rows(page).nth(0).locator("input.toggle").uncheck()
    expect(rows(page).nth(0)).not_to_have_class(COMPLETED)
    expect(toggle_all).not_to_be_checked()

    # Ticking it completes all; unticking it makes all active again.
    toggle_all.check()
    for index in range(2):
        expect(rows(page).nth(index)).to_have_class(COMPLETED)
        expect(rows(page).nth(index).locator("input.toggle")).to_be_checked()
    expect(counter(page)).to_have_text("0 items left")
    page.reload()
    expect(page.locator("input.toggle-all")).to_be_checked()

    page.locator("input.toggle-all").uncheck()
    for index in range(2):
        expect(rows(page).nth(index)).not_to_have_class(COMPLETED)
        expect(rows(page).nth(index).locator("input.toggle")).not_to_be_checked()
    expect(counter(page)).to_have_text("2 items left")
    page.reload()
    expect(page.locator("input.toggle-all")).not_to_be_checked()
    expect(counter(page)).to_have_text("2 items left")

    # A new todo is active, so "all done" is no longer true.
    page.locator("input.toggle-all").check()
    expect(counter(page)).to_have_text("0 items left")
    add(page, "Three")
    expect(page.locator("input.toggle-all")).not_to_be_checked()


def test_after_clear_completed_toggle_all_is_unchecked(page: Page) -> None:
    add(page, "Done one")
    add(page, "Open one")
    mark_page(page)
    row(page, "Done one").locator("input.toggle").check()
    expect(page.locator("button.clear-completed")).to_be_visible()
    page.locator("button.clear-completed").click()
    expect(titles(page)).to_have_text(["Open one"])
    expect(page.locator("input.toggle-all")).not_to_be_checked()
    expect(page.locator("button.clear-completed")).to_have_count(0)

    # And when everything was done and cleared, a fresh todo starts it unchecked too.
    page.locator("input.toggle-all").check()
    expect(counter(page)).to_have_text("0 items left")
    expect(page.locator("input.toggle-all")).to_be_checked()
    page.locator("button.clear-completed").click()
    expect(rows(page)).to_have_count(0)
    expect(page.locator("section.main")).to_be_hidden()
    add(page, "Fresh")
    expect(page.locator("input.toggle-all")).not_to_be_checked()
    expect(counter(page)).to_have_text("1 item left")
    assert_same_page(page)

    page.reload()
    expect(titles(page)).to_have_text(["Fresh"])
    expect(page.locator("input.toggle-all")).not_to_be_checked()


def test_clear_completed_shows_only_when_something_is_done(page: Page) -> None:
    clear = page.get_by_role("button", name="Clear completed")
    add(page, "One")
    expect(clear).to_have_count(0)
    rows(page).first.locator("input.toggle").check()
    expect(clear).to_be_visible()
    rows(page).first.locator("input.toggle").uncheck()
    expect(clear).to_have_count(0)


def test_deleting_the_last_todo_hides_main_and_footer(page: Page) -> None:
    add(page, "Only")
    rows(page).first.locator("button.destroy").click()
    expect(rows(page)).to_have_count(0)
    expect(page.locator("section.main")).to_be_hidden()
    expect(page.locator("footer.footer")).to_be_hidden()
    expect(counter(page)).to_have_text("0 items left")


def test_a_toggle_on_active_removes_the_row(page: Page, base_url: str) -> None:
    add(page, "One")
    add(page, "Two")
    page.goto(f"{base_url}/active")
    assert_forms_carry_the_filter(page, "active")
    mark_page(page)
    # click, not check(): the row leaves this view, and when the swap comes before
    # Playwright's own look at the box, check() waits for the box until it times out.
    row(page, "One").locator("input.toggle").click()
    expect(titles(page)).to_have_text(["Two"])
    expect(counter(page)).to_have_text("1 item left")
    assert_same_page(page)
    page.reload()
    expect(page).to_have_url(f"{base_url}/active")
    expect(titles(page)).to_have_text(["Two"])


def test_untoggling_on_completed_removes_the_row(page: Page, base_url: str) -> None:
    add(page, "One")
    add(page, "Two")
    page.locator("input.toggle-all").check()
    expect(counter(page)).to_have_text("0 items left")
    page.goto(f"{base_url}/completed")
    assert_forms_carry_the_filter(page, "completed")
    row(page, "Two").locator("input.toggle").click()  # (not uncheck(): see above)
    expect(titles(page)).to_have_text(["One"])
    expect(counter(page)).to_have_text("1 item left")
    page.reload()
    expect(page).to_have_url(f"{base_url}/completed")
    expect(titles(page)).to_have_text(["One"])


def test_toggle_all_and_adding_keep_the_filter(page: Page, base_url: str) -> None:
    add(page, "One")
    page.goto(f"{base_url}/completed")
    assert_forms_carry_the_filter(page, "completed")
    # A new todo is active: it doesn't show on Completed, but it is counted.
    page.locator("input.new-todo").fill("Two")
    page.locator("input.new-todo").press("Enter")
    expect(counter(page)).to_have_text("2 items left")
    expect(rows(page)).to_have_count(0)
    page.locator("input.toggle-all").check()
    expect(titles(page)).to_have_text(["One", "Two"])
    page.goto(f"{base_url}/active")
    expect(rows(page)).to_have_count(0)
    page.locator("input.toggle-all").uncheck()
    expect(titles(page)).to_have_text(["One", "Two"])
    page.goto(f"{base_url}/completed")
    expect(rows(page)).to_have_count(0)


def test_filters_are_pushed_to_history_and_survive_reload(page: Page, base_url: str) -> None:
    add(page, "Open")
    add(page, "Done")
    row(page, "Done").locator("input.toggle").check()
    expect(row(page, "Done")).to_have_class(COMPLETED)
    page.reload()  # (see test_back_shows_the_list_as_changed_in_place)
    selected = page.locator("ul.filters a.selected")
    history_length = page.evaluate("history.length")

    page.get_by_role("link", name="Completed", exact=True).click()
    expect(page).to_have_url(f"{base_url}/completed")
    assert page.evaluate("history.length") == history_length + 1
    expect(selected).to_have_text("Completed")
    expect(selected).to_have_attribute("aria-current", "page")
    expect(titles(page)).to_have_text(["Done"])

    page.reload()
    expect(page).to_have_url(f"{base_url}/completed")
    expect(selected).to_have_text("Completed")
    expect(titles(page)).to_have_text(["Done"])

    page.get_by_role("link", name="Active", exact=True).click()
    expect(page).to_have_url(f"{base_url}/active")
    expect(titles(page)).to_have_text(["Open"])
    page.go_back()
    expect(page).to_have_url(f"{base_url}/completed")
    expect(titles(page)).to_have_text(["Done"])
    page.go_back()
    expect(page).to_have_url(f"{base_url}/")
    expect(selected).to_have_text("All")
    expect(titles(page)).to_have_text(["Open", "Done"])
    page.go_forward()
    expect(page).to_have_url(f"{base_url}/completed")
    expect(titles(page)).to_have_text(["Done"])


def test_back_shows_the_list_as_changed_in_place(page: Page, base_url: str) -> None:
    add(page, "Added without a page load")
    page.get_by_role("link", name="Active", exact=True).click()
    expect(page).to_have_url(f"{base_url}/active")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/")
    expect(titles(page)).to_have_text(["Added without a page load"], timeout=1000)


def test_newest_first_keeps_the_filter_and_new_todos_go_on_top(page: Page, base_url: str) -> None:
    for title in ("First", "Second", "Third"):
        add(page, title)
    row(page, "Second").locator("input.toggle").check()
    expect(row(page, "Second")).to_have_class(COMPLETED)
    page.get_by_role("link", name="Active", exact=True).click()
    expect(titles(page)).to_have_text(["First", "Third"])

    page.get_by_role("link", name="Newest first").click()
    expect(page).to_have_url(f"{base_url}/active?order=newest")
    expect(page.locator("ul.filters a.selected")).to_have_text("Active")
    expect(titles(page)).to_have_text(["Third", "First"])
    add(page, "Fourth", at_end=False)
    expect(titles(page)).to_have_text(["Fourth", "Third", "First"])

    # The filters keep the order, and reload keeps both.
    page.get_by_role("link", name="All", exact=True).click()
    expect(page).to_have_url(f"{base_url}/?order=newest")
    expect(titles(page)).to_have_text(["Fourth", "Third", "Second", "First"])
    page.reload()
    expect(titles(page)).to_have_text(["Fourth", "Third", "Second", "First"])

    page.get_by_role("link", name="Oldest first").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(titles(page)).to_have_text(["First", "Second", "Third", "Fourth"])
