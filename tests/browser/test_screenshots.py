"""Screenshots of the pages, light and dark, desktop and phone, for a person to look at.

They land in artifacts/screenshots/ (git-ignored). The test also checks what a screenshot
would show badly: nothing wider than the screen (no sideways scrolling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    COMPLETED,
    EDITING,
    FAILED_RESOURCE,
    VIEWPORTS,
    add,
    counter,
    row,
    shoot,
)

if TYPE_CHECKING:
    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser


def fill_list(page: Page) -> None:
    add(page, "Buy milk")
    page.locator("input.new-todo").fill("Write the browser tests")
    page.get_by_text("Add a description").click()
    page.get_by_label("Description").fill("Keyboard, focus, errors and no-JS runs.")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(row(page, "Write the browser tests")).to_have_count(1)
    add(page, "Read the htmx 4 notes, all of them, including the long part about history")
    row(page, "Buy milk").locator("input.toggle").check()
    expect(row(page, "Buy milk")).to_have_class(COMPLETED)
    expect(counter(page)).to_have_text("2 items left")
    page.locator("input.new-todo").blur()


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(new_page: PageMaker, base_url: str, scheme: str, device: str) -> None:
    options = {"viewport": VIEWPORTS[device], "color_scheme": scheme}
    anonymous = new_page(signed_up=False, **options)
    anonymous.goto(f"{base_url}/login")
    shoot(anonymous, f"login-{scheme}-{device}")

    page = new_page(**options)
    shoot(page, f"empty-{scheme}-{device}")
    fill_list(page)
    shoot(page, f"list-{scheme}-{device}")

    row(page, "Write the browser tests").locator("label.title").dblclick()
    expect(row(page, "Write the browser tests")).to_have_class(EDITING)
    shoot(page, f"editing-{scheme}-{device}")
    page.keyboard.press("Escape")

    # The two kinds of error message: one next to a field, one at the top.
    new_page.allow_errors(FAILED_RESOURCE)
    new_page.allow_errors("htmx:error")
    new_todo = page.locator("input.new-todo")
    new_todo.evaluate("el => el.removeAttribute('maxlength')")
    new_todo.fill("A title that is far too long " * 7)
    new_todo.press("Enter")
    expect(page.locator("#new-title-error")).to_be_visible()
    page.route("**/toggle*", lambda route: route.abort())
    row(page, "Write the browser tests").locator("input.toggle").click()
    expect(page.locator("#messages [role=alert]")).to_be_visible()
    shoot(page, f"errors-{scheme}-{device}")
    page.unroute("**/toggle*")

    page.get_by_role("link", name="Edit “Write the browser tests”").click()
    expect(page.get_by_role("heading", name="Edit todo")).to_be_visible()
    shoot(page, f"edit-page-{scheme}-{device}")
