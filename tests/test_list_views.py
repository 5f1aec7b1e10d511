"""The list's views: paging through a long list, and rows leaving a filtered view.

Paging runs with three todos a page, so a handful of todos makes several pages; walking
every page through "Show more" (htmx) or its link (no JavaScript) must show each todo
exactly once, in the view's order. A toggled row stays in the All view and leaves the
Active or Completed view it no longer belongs to.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pytest

from tests.helpers import HTMX, add_todo, fetch, post_form, settings_for

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession

    from tests.helpers import Account
    from webapp.config import Settings

PAGE_SIZE = 3
ROW_ID = re.compile(r'<li id="todo-(\d+)"')
# The "Show more" area, and the link in it when there is a next page.
MORE = re.compile(r'<div id="more"[^>]*>(.*?)</div>', re.S)
MORE_LINK = re.compile(r'href="([^"]*\?after=\d+[^"]*)"')
COUNT = re.compile(r'<span class="todo-count"[^>]*>\s*<strong>(\d+)</strong>')
PAGES = {"all": "/", "active": "/active", "completed": "/completed"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, page_size=PAGE_SIZE)


def row_ids(page: str) -> list[int]:
    return [int(i) for i in ROW_ID.findall(page)]


def more_link(page: str) -> str | None:
    area = MORE.search(page)
    assert area, "no Show more area"
    match = MORE_LINK.search(area.group(1))
    return html.unescape(match.group(1)) if match else None


def items_left(page: str) -> int:
    match = COUNT.search(page)
    assert match, "no counter"
    return int(match.group(1))


async def expected_order(db: AsyncSession, filter_: str, order: str) -> list[int]:
    rows = await fetch(db, "SELECT id, done FROM todos ORDER BY id")
    matching = {"all": lambda done: True, "active": lambda done: not done}[filter_]
    ids = [row.id for row in rows if matching(bool(row.done))]
    return ids[::-1] if order == "newest" else ids


async def walk(client: httpx2.AsyncClient, first: str, *, htmx: bool) -> list[list[int]]:
    """The rows of every page, from `first` through each "Show more" link in turn."""
    page = await client.get(first)
    assert page.status_code == 200, page.text
    pages = [row_ids(page.text)]
    link = more_link(page.text)
    while link is not None:
        assert len(pages) <= 20, "the pages never end"
        page = await client.get(link, headers=HTMX if htmx else {})
        assert page.status_code == 200, page.text
        assert ("<html" in page.text) is not htmx
        pages.append(row_ids(page.text))
        link = more_link(page.text)
    return pages


@pytest.mark.parametrize("count", [9, 10])
@pytest.mark.parametrize("filter_", ["all", "active"])
@pytest.mark.parametrize("order", ["oldest", "newest"])
async def test_paging_shows_every_todo_exactly_once_in_order(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    count: int,
    filter_: str,
    order: str,
) -> None:
    for i in range(count):
        await add_todo(client, f"todo {i}")
    # Every fourth done, so that Active pages skip some ids.
    for todo_id in range(1, count + 1, 4):
        assert (await post_form(client, f"/todos/{todo_id}/toggle")).status_code == 303
    expected = await expected_order(db, filter_, order)
    first = PAGES[filter_] + ("?order=newest" if order == "newest" else "")

    for htmx in (True, False):
        pages = await walk(client, first, htmx=htmx)

        seen = [todo_id for page in pages for todo_id in page]
        assert seen == expected, pages
        # Full pages until the last, which is not empty and has no link after it.
        assert all(len(page) == PAGE_SIZE for page in pages[:-1]), pages
        assert 0 < len(pages[-1]) <= PAGE_SIZE, pages
        assert len(pages) == -(-len(expected) // PAGE_SIZE)


@pytest.mark.parametrize(
    ("filter_", "done_before", "row_stays"),
    [
        ("completed", True, False),
        ("active", False, False),
        ("all", False, True),
        ("all", True, True),
    ],
)
async def test_a_toggled_row_leaves_a_filtered_view_it_no_longer_belongs_to(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    filter_: str,
    done_before: bool,
    row_stays: bool,
) -> None:
    await add_todo(client, "other")
    await add_todo(client, "this one")
    if done_before:
        assert (await post_form(client, "/todos/2/toggle")).status_code == 303
    page = (await client.get(PAGES[filter_])).text
    assert 2 in row_ids(page)

    response = await post_form(client, f"/todos/2/toggle?filter={filter_}", htmx=True)

    assert response.status_code == 200, response.text
    assert "<html" not in response.text
    assert ('<li id="todo-2"' in response.text) is row_stays, response.text
    assert '<li id="todo-1"' not in response.text
    # "other" is active; "this one" now is exactly when it wasn't before.
    assert items_left(response.text) == (2 if done_before else 1)
    rows = await fetch(db, "SELECT id, done FROM todos ORDER BY id")
    assert [(row.id, bool(row.done)) for row in rows] == [(1, False), (2, not done_before)]
    # And the page, loaded again, agrees with the fragment.
    assert (2 in row_ids((await client.get(PAGES[filter_])).text)) is row_stays
