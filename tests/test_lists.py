"""Lists: every account's Inbox, own lists (add, rename, delete with Undo), todos in a
list and moved between lists, and another person's list, which is nobody's to see."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.helpers import add_todo, client_for, fetch, post_form, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

UNDO_FORM = re.compile(r'action="/deletions/(\d+)/undo')
NAV = re.compile(r'<nav id="lists-nav".*?</nav>', re.DOTALL)
NAV_LINK = re.compile(
    r'<a href="([^"]+)"(?: aria-current="page")?>\s*'
    r'<span class="list-name" dir="auto">([^<]*)</span>'
    r'<span id="nav-count-\w+" class="count">(\d*)'
)
COUNT = re.compile(r'<span class="todo-count"[^>]*><strong>(\d+)</strong>')
TITLES = re.compile(r'<label class="title"[^>]*>([^<]*)</label>')


def nav(page: str, *, with_due: bool = False) -> list[tuple[str, str, str]]:
    """The navigation's links to lists: (href, name, active count or ""); with Today's
    and Upcoming's if `with_due`."""
    match = NAV.search(page)
    assert match, "no lists navigation"
    links = NAV_LINK.findall(match.group(0))
    return [link for link in links if with_due or link[0] not in {"/today", "/upcoming"}]


def titles(page: str) -> list[str]:
    return TITLES.findall(page)


async def add_list(client: httpx2.AsyncClient, name: str) -> int:
    response = await post_form(client, "/lists", {"name": name})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/lists/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def add_to(client: httpx2.AsyncClient, list_id: int, title: str) -> None:
    response = await post_form(client, f"/todos?list={list_id}", {"title": title})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/lists/{list_id}#todo-")


async def lists_in_db(db: AsyncSession) -> list[tuple[object, ...]]:
    rows = await fetch(db, "SELECT id, name, is_inbox, deletion_id FROM lists ORDER BY id")
    return [tuple(row) for row in rows]


async def todos_in_db(db: AsyncSession) -> list[tuple[object, ...]]:
    rows = await fetch(db, "SELECT id, list_id, title, done, deletion_id FROM todos ORDER BY id")
    return [tuple(row) for row in rows]


async def test_a_new_account_has_an_inbox_and_the_navigation_shows_it(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    [(inbox_id, name, is_inbox, _)] = await lists_in_db(db)
    assert (name, is_inbox) == ("Inbox", True)
    page = (await client.get("/")).text
    assert '<nav id="lists-nav" class="lists-nav" aria-label="Lists">' in page
    assert nav(page, with_due=True) == [
        ("/", "Inbox", ""),
        ("/today", "Today", ""),
        ("/upcoming", "Upcoming", ""),
    ]
    assert '<a href="/" aria-current="page">' in page
    # The Inbox has one address: its list page sends there.
    response = await client.get(f"/lists/{inbox_id}/active?order=newest")
    assert response.status_code == 303
    assert response.headers["location"] == "/active?order=newest"


async def test_adding_a_list_opens_it_and_its_todos_stay_in_it(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "in the inbox")
    work = await add_list(client, "  Work  ")
    page = (await client.get(f"/lists/{work}")).text
    assert '<h1 class="list-heading" dir="auto">Work</h1>' in page
    assert "<title>All · Work · todos</title>" in page
    assert titles(page) == []

    await add_to(client, work, "plan")
    await add_to(client, work, "report")
    page = (await client.get(f"/lists/{work}")).text
    assert titles(page) == ["plan", "report"]
    assert COUNT.findall(page) == ["2"]
    assert nav(page) == [("/", "Inbox", "1"), (f"/lists/{work}", "Work", "2")]
    # Forms on the list's page act on the list and come back to it.
    assert f'action="/todos?list={work}"' in page
    assert f'href="/lists/{work}/active"' in page
    assert titles((await client.get("/")).text) == ["in the inbox"]
    rows = await todos_in_db(db)
    inbox = rows[0][1]
    assert [(row[1], row[2]) for row in rows] == [
        (inbox, "in the inbox"),
        (work, "plan"),
        (work, "report"),
    ]


async def test_a_list_page_filters_and_its_actions_touch_that_list_only(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "inbox todo")
    work = await add_list(client, "Work")
    await add_to(client, work, "a")
    await add_to(client, work, "b")
    response = await post_form(client, f"/todos/toggle-all?list={work}", {"done": "true"})
    assert response.headers["location"] == f"/lists/{work}"
    assert titles((await client.get(f"/lists/{work}/completed")).text) == ["a", "b"]
    assert titles((await client.get(f"/lists/{work}/active")).text) == []
    response = await post_form(client, f"/todos/clear-completed?list={work}&filter=completed")
    assert response.headers["location"] == f"/lists/{work}/completed"
    rows = await todos_in_db(db)
    # The Inbox's todo is neither done nor deleted.
    assert [(row[2], row[3], row[4] is None) for row in rows] == [
        ("inbox todo", False, True),
        ("a", True, False),
        ("b", True, False),
    ]


async def test_an_htmx_toggle_updates_the_lists_count_in_the_navigation(
    client: httpx2.AsyncClient, user: Account
) -> None:
    work = await add_list(client, "Work")
    await add_to(client, work, "a")
    await add_to(client, work, "b")
    [(todo_id,)] = re.findall(r'id="todo-(\d+)"', (await client.get(f"/lists/{work}/active")).text)[
        :1
    ]
    response = await post_form(client, f"/todos/{todo_id}/toggle?list={work}", htmx=True)
    assert response.status_code == 200
    assert (
        f'<span id="nav-count-{work}" class="count" data-hx-swap-oob="true">1'
        '<span class="visually-hidden"> to do</span></span>'
    ) in response.text
    response = await post_form(client, "/todos", {"title": "new"}, htmx=True)
    inbox = work - 1  # made with the account, just before
    assert f'<span id="nav-count-{inbox}" class="count" data-hx-swap-oob="true">1<' in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Please enter a name for the list."),
        ("   ", "Please enter a name for the list."),
        ("x" * 101, "A list&#39;s name can be at most 100 characters long."),
        ("a\x00b", "A list&#39;s name can&#39;t contain control characters."),
    ],
)
async def test_a_bad_list_name_is_refused_next_to_the_field(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, name: str, message: str
) -> None:
    before = await lists_in_db(db)
    response = await post_form(client, "/lists", {"name": name})
    assert response.status_code == 422
    assert f'<p id="new-list-error" class="field-error">{message}</p>' in response.text
    assert 'aria-describedby="new-list-error" autofocus' in response.text
    work = await add_list(client, "Work")
    response = await post_form(client, f"/lists/{work}/rename", {"name": name})
    assert response.status_code == 422
    assert f'<p id="rename-list-error" class="field-error">{message}</p>' in response.text
    assert [row[1] for row in await lists_in_db(db)] == [row[1] for row in before] + ["Work"]


async def test_renaming_a_list(client: httpx2.AsyncClient, user: Account, db: AsyncSession) -> None:
    work = await add_list(client, "Work")
    response = await post_form(client, f"/lists/{work}/rename", {"name": "Office"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/lists/{work}"
    page = (await client.get(f"/lists/{work}")).text
    assert "Renamed the list to “Office”." in page
    assert '<h1 class="list-heading" dir="auto">Office</h1>' in page
    [inbox, office] = await lists_in_db(db)
    assert office[1] == "Office"
    # The Inbox keeps its name.
    response = await post_form(client, f"/lists/{inbox[0]}/rename", {"name": "Mine"})
    assert response.status_code == 404
    assert [row[1] for row in await lists_in_db(db)] == ["Inbox", "Office"]


async def test_deleting_a_list_takes_its_todos_and_undo_brings_both_back(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "kept")
    work = await add_list(client, "Work")
    await add_to(client, work, "a")
    await add_to(client, work, "b")
    before = await todos_in_db(db)

    response = await post_form(client, f"/lists/{work}/delete")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = (await client.get("/")).text
    assert "Deleted the list “Work” and its todos." in page
    assert nav(page) == [("/", "Inbox", "1")]
    assert (await client.get(f"/lists/{work}")).status_code == 404
    work_todo = before[1][0]
    assert (await post_form(client, f"/todos/{work_todo}/toggle")).status_code == 404
    (deletion,) = UNDO_FORM.findall(page)

    response = await post_form(client, f"/deletions/{deletion}/undo", htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/lists/{work}"
    page = (await client.get(f"/lists/{work}")).text
    assert "Restored the list." in page
    assert titles(page) == ["a", "b"]
    assert await todos_in_db(db) == before
    assert [row[3] for row in await lists_in_db(db)] == [None, None]
    # Once only.
    response = await post_form(client, f"/deletions/{deletion}/undo")
    assert response.status_code == 404


async def test_the_inbox_cannot_be_deleted(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "kept")
    [(inbox, *_)] = await lists_in_db(db)
    response = await post_form(client, f"/lists/{inbox}/delete")
    assert response.status_code == 404
    assert [row[3] for row in await lists_in_db(db)] == [None]
    assert [row[4] for row in await todos_in_db(db)] == [None]


async def test_moving_a_todo_to_another_list_from_the_edit_page(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "first")
    await add_todo(client, "to move")
    work = await add_list(client, "Work")
    [inbox, *_] = await lists_in_db(db)
    page = (await client.get("/todos/2/edit")).text
    assert '<label for="list">List</label>' in page
    assert f'<option value="{inbox[0]}" selected>Inbox</option>' in page
    assert f'<option value="{work}">Work</option>' in page

    response = await post_form(
        client, "/todos/2", {"title": "moved", "description": "", "list": str(work)}
    )
    assert response.status_code == 303
    # Back where it was, next to its old neighbour, saying where it went.
    assert response.headers["location"] == "/#todo-1"
    assert "Moved “moved” to Work." in (await client.get("/")).text
    assert [(row[1], row[2]) for row in await todos_in_db(db)] == [
        (inbox[0], "first"),
        (work, "moved"),
    ]
    page = (await client.get(f"/lists/{work}")).text
    assert titles(page) == ["moved"]
    assert nav(page) == [("/", "Inbox", "1"), (f"/lists/{work}", "Work", "1")]


@pytest.mark.parametrize("choice", ["999", "0", "x", "99999999999999999999"])
async def test_a_todo_cant_be_moved_to_a_list_that_isnt_there(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, choice: str
) -> None:
    await add_todo(client, "stays")
    before = await todos_in_db(db)
    response = await post_form(
        client, "/todos/1", {"title": "renamed", "description": "", "list": choice}
    )
    assert response.status_code == 422
    message = "That list does not exist. Please choose another."
    assert f'<p id="list-error" class="field-error">{message}</p>' in response.text
    assert await todos_in_db(db) == before


async def test_another_persons_list_is_not_found_and_nothing_changes(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        bobs = await add_list(bob, "Bob's")
        await add_to(bob, bobs, "bob's todo")
    await sign_up(client, "alice@example.com")
    await add_todo(client, "alice's")
    lists_before, todos_before = await lists_in_db(db), await todos_in_db(db)
    alices_todo = todos_before[-1][0]

    for path in (f"/lists/{bobs}", f"/lists/{bobs}/active", f"/lists/{bobs}/completed"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "That list does not exist." in response.text
    for path, form in (
        (f"/todos?list={bobs}", {"title": "sneaky"}),
        (f"/todos/toggle-all?list={bobs}", {"done": "true"}),
        (f"/todos/clear-completed?list={bobs}", {}),
        (f"/lists/{bobs}/rename", {"name": "mine now"}),
        (f"/lists/{bobs}/delete", {}),
    ):
        response = await post_form(client, path, form)
        assert response.status_code in {303, 404}, (path, response.status_code)
    response = await post_form(
        client, f"/todos/{alices_todo}", {"title": "x", "description": "", "list": str(bobs)}
    )
    assert response.status_code == 422
    assert await lists_in_db(db) == lists_before
    assert await todos_in_db(db) == todos_before


async def test_an_add_to_another_persons_list_is_not_found(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        bobs = await add_list(bob, "Bob's")
    await sign_up(client, "alice@example.com")
    for htmx in (False, True):
        response = await post_form(client, f"/todos?list={bobs}", {"title": "sneaky"}, htmx=htmx)
        assert response.status_code == 404
    assert await todos_in_db(db) == []
