"""Accessibility: axe-core finds nothing on any page, and every control has a name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    EDITING,
    FAILED_RESOURCE,
    add,
    assert_no_violations,
    counter,
    row,
    rows,
)

if TYPE_CHECKING:
    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser

NOT_BLANK = re.compile(r"\S")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page(
    new_page: PageMaker, base_url: str, scheme: str
) -> None:
    # The refused login and titles answer 422, which Chromium logs as a failed resource.
    new_page.allow_errors(FAILED_RESOURCE)
    anonymous = new_page(signed_up=False, color_scheme=scheme)
    anonymous.goto(f"{base_url}/login")
    assert_no_violations(anonymous, f"the login page ({scheme})")
    anonymous.goto(f"{base_url}/signup")
    assert_no_violations(anonymous, f"the signup page ({scheme})")
    # With the messages a failed form shows.
    anonymous.get_by_label("Email").fill("not-an-account@example.com")
    anonymous.get_by_label("Password").fill("wrong password")
    anonymous.goto(f"{base_url}/login")
    anonymous.get_by_label("Email").fill("not-an-account@example.com")
    anonymous.get_by_label("Password").fill("wrong password")
    anonymous.get_by_role("button", name="Log in").click()
    expect(anonymous.locator(".form-error")).to_be_visible()
    assert_no_violations(anonymous, f"the login page with its error ({scheme})")

    page = new_page(color_scheme=scheme)
    expect(page.locator("section.main")).to_be_hidden()
    assert_no_violations(page, f"the empty list ({scheme})")

    add(page, "Buy milk")
    add(page, "Write the tests")
    add(page, "Read the notes")
    row(page, "Write the tests").locator("input.toggle").check()
    expect(row(page, "Write the tests")).to_have_class(re.compile("completed"))
    expect(counter(page)).to_have_text("2 items left")
    assert_no_violations(page, f"the list with todos ({scheme})")

    row(page, "Buy milk").locator("label.title").dblclick()
    expect(row(page, "Buy milk")).to_have_class(EDITING)
    assert_no_violations(page, f"the list with a todo in edit mode ({scheme})")
    page.keyboard.press("Escape")

    # A refused title shows its message next to the field.
    page.locator("input.new-todo").evaluate("el => el.removeAttribute('maxlength')")
    page.locator("input.new-todo").fill("x" * 201)
    page.locator("input.new-todo").press("Enter")
    expect(page.locator("#new-title-error")).to_be_visible()
    # And a failed request's message at the top.
    new_page.allow_errors("htmx:error")
    page.route("**/toggle*", lambda route: route.abort())
    row(page, "Read the notes").locator("input.toggle").click()
    expect(page.locator("#messages [role=alert]")).to_be_visible()
    page.unroute("**/toggle*")
    assert_no_violations(page, f"the list with error messages ({scheme})")

    page.get_by_role("link", name="Completed", exact=True).click()
    expect(rows(page)).to_have_count(1)
    assert_no_violations(page, f"the Completed filter ({scheme})")

    page.get_by_role("link", name="All", exact=True).click()
    page.get_by_role("link", name="Edit “Buy milk”").click()
    expect(page.get_by_role("heading", name="Edit todo")).to_be_visible()
    assert_no_violations(page, f"the edit page ({scheme})")
    page.get_by_label("Title").fill("")
    page.get_by_label("Title").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#title-error")).to_be_visible()
    assert_no_violations(page, f"the edit page with an error ({scheme})")


def test_every_control_has_an_accessible_name(page: Page) -> None:
    add(page, "Buy milk")
    add(page, "Call Sam")
    row(page, "Call Sam").locator("input.toggle").check()
    expect(page.locator("button.clear-completed")).to_be_visible()

    # The named controls users look for, by role and name.
    expect(page.get_by_role("textbox", name="New todo")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Mark all as complete")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Done: Buy milk")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Done: Call Sam")).to_be_checked()
    expect(page.get_by_role("button", name="Delete “Buy milk”")).to_be_visible()
    expect(page.get_by_role("button", name="Delete “Call Sam”")).to_be_visible()
    expect(page.get_by_role("link", name="Edit “Buy milk”")).to_be_visible()
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    for name in ("All", "Active", "Completed"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="item left")).to_have_text("1 item left")

    # And nothing else on the page is nameless: every control of each role,
    # and every element reachable by Tab.
    for role in ("button", "link", "checkbox", "textbox"):
        controls = page.get_by_role(role)  # type: ignore[arg-type]
        assert controls.count() > 0, role
        for control in controls.all():
            expect(control).to_have_accessible_name(NOT_BLANK)
    tabbable = page.locator(
        "a[href], button, input:not([type=hidden]), textarea, summary, [tabindex='0']"
    )
    for element in tabbable.all():
        if element.is_visible():
            expect(element).to_have_accessible_name(NOT_BLANK)

    # While a todo is edited, its field is named after it.
    row(page, "Buy milk").locator("label.title").dblclick()
    expect(page.get_by_role("textbox", name="Edit “Buy milk”")).to_be_focused()
