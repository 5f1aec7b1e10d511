"""The account page in the browser: reached from the header, accessible, and its three
actions working as plain forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import FAILED_RESOURCE, assert_no_violations, log_in, shoot, sign_up
from tests.helpers import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.helpers import PageMaker

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a brand new passphrase"


def own_user(new_page: PageMaker, base_url: str, **options: object) -> tuple[Page, str]:
    """A page with a user of its own: these tests change or delete the account."""
    page = new_page(signed_up=False, **options)
    return page, sign_up(page, base_url)


def test_change_password_from_the_header_link(new_page: PageMaker, base_url: str) -> None:
    new_page.allow_errors(FAILED_RESOURCE)  # Chromium logs the 422 it is shown
    page, email = own_user(new_page, base_url)
    page.get_by_role("link", name=email).click()
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("That isn't your current password.")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed.")).to_be_visible()

    page.get_by_role("button", name="Log out", exact=True).click()
    log_in(page, base_url, email, PASSWORD)
    expect(page.get_by_text("That email and password don't match an account.")).to_be_visible()
    log_in(page, base_url, email, NEW_PASSWORD)
    expect(page).to_have_url(f"{base_url}/")


def test_delete_account_asks_for_the_password(new_page: PageMaker, base_url: str) -> None:
    page, email = own_user(new_page, base_url)
    page.locator("input.new-todo").fill("Soon gone")
    page.locator("input.new-todo").press("Enter")
    expect(page.locator("ul.todo-list > li")).to_have_count(1)
    page.goto(f"{base_url}/account")
    page.get_by_role("button", name="Delete my account and todos").click()
    # The browser's own required-field check keeps the form from being sent empty.
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and todos").click()
    expect(page.get_by_role("heading", name="Your account was deleted")).to_be_visible()
    expect(page.get_by_role("link", name=email)).to_have_count(0)
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/login?next=%2F")


def test_log_out_everywhere_ends_the_other_browsers_session(
    new_page: PageMaker, base_url: str
) -> None:
    page, email = own_user(new_page, base_url)
    other = new_page(signed_up=False)
    log_in(other, base_url, email, PASSWORD)
    expect(other).to_have_url(f"{base_url}/")
    page.goto(f"{base_url}/account")
    page.get_by_role("button", name="Log out everywhere").click()
    expect(page).to_have_url(f"{base_url}/login")
    other.reload()
    expect(other).to_have_url(f"{base_url}/login?next=%2F")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_account_page_is_accessible_and_looks_right(
    new_page: PageMaker, base_url: str, scheme: str
) -> None:
    new_page.allow_errors(FAILED_RESOURCE)
    page, _ = own_user(new_page, base_url, color_scheme=scheme)
    page.goto(f"{base_url}/account")
    assert_no_violations(page, f"the account page ({scheme})")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("short!!!")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_be_visible()
    assert_no_violations(page, f"the account page with an error ({scheme})")
    shoot(page, f"account-{scheme}-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, f"account-{scheme}-phone")
