"""What the browser tests of lists, orders and organising share: clearing the lists, a
second tab, and a click that loads a page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.browser.helpers import watch_errors
from tests.helpers import csrf_token_in

if TYPE_CHECKING:
    from playwright.sync_api import APIRequestContext, Locator, Page

    from tests.browser.helpers import PageMaker

LIST_LINK = re.compile(r'href="/lists/(\d+)"')


def delete_all_lists(request: APIRequestContext, base_url: str) -> None:
    """Delete every list of the signed-in user but the Inbox, with the plain forms, and
    show the Inbox once so that the "Deleted the list" message isn't left waiting."""
    html = request.get(f"{base_url}/").text()
    token = csrf_token_in(html)
    for list_id in sorted(set(LIST_LINK.findall(html))):
        response = request.post(
            f"{base_url}/lists/{list_id}/delete", form={"csrf_token": token}, max_redirects=0
        )
        assert response.status == 303, response.text()
    assert request.get(f"{base_url}/").ok


def second_tab(page: Page, new_page: PageMaker) -> Page:
    """Another tab of the same browser (same cookies), watched for errors like the first."""
    tab = page.context.new_page()
    new_page.opened.append((tab, watch_errors(tab)))
    return tab


def click_and_wait(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.click()
