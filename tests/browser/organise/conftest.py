"""The pages of these tests: the package's signed-in user with an empty Inbox and no
other list, before and after each test (they add lists; the other tests expect none)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.organise.helpers import delete_all_lists

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Page

    from tests.browser.helpers import PageMaker


@pytest.fixture
def open_page(new_page: PageMaker, base_url: str) -> Iterator[Callable[..., Page]]:
    """Makes `new_page` pages (signed in, empty Inbox) with no other list, on the Inbox."""
    opened: list[Page] = []

    def open_(**options: Any) -> Page:
        page = new_page(**options)
        delete_all_lists(page.context.request, base_url)
        page.goto(f"{base_url}/")
        opened.append(page)
        return page

    yield open_
    if opened:
        delete_all_lists(opened[0].context.request, base_url)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def plain(open_page: Callable[..., Page]) -> Page:
    """A page without JavaScript: every action is a plain form or link."""
    return open_page(java_script_enabled=False)
