"""Two users side by side: nothing one of them does reaches the other's todos.

Every todo action, the bulk ones included, runs as Alice while Bob has todos of his own
(one active, one done, one deleted and waiting for an Undo; their ids interleaved with
hers); Bob's rows must come out of it exactly as they went in. And Alice naming one of
Bob's todos (or deletions) by id gets the same 404 as for one that doesn't exist, with
nothing changed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.helpers import HTMX, add_todo, client_for, fetch, post_form, sign_up

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

ROW = re.compile(
    r'<li id="todo-\d+" class="([^"]*)">.*?<label class="title"[^>]*>(.*?)</label>', re.S
)
COUNT = re.compile(r'<span class="todo-count"[^>]*>\s*<strong>(\d+)</strong>')
TITLES = ("alice_active", "bob_active", "alice_done", "bob_done", "alice_deleted", "bob_deleted")
BOB_SEES = [("bob_active", False), ("bob_done", True)]
ALICE_SEES = [("alice_active", False), ("alice_done", True)]


def shown(page: str) -> list[tuple[str, bool]]:
    """The rows a list page or fragment shows: (title, done), top to bottom."""
    return [
        (html.unescape(title), "completed" in classes.split())
        for classes, title in ROW.findall(page)
    ]


def items_left(page: str) -> int:
    match = COUNT.search(page)
    assert match, "no counter"
    return int(match.group(1))


async def rows_of(db: AsyncSession, email: str) -> list[Any]:
    """Every column of every todo the user owns, deleted ones included, as committed."""
    return await fetch(
        db,
        "SELECT todos.* FROM todos JOIN lists ON lists.id = todos.list_id"
        " JOIN users ON users.id = lists.owner_id"
        " WHERE users.email = :email ORDER BY todos.id",
        email=email,
    )


async def everything(db: AsyncSession) -> dict[str, list[Any]]:
    return {
        table: await fetch(db, f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        for table in ("lists", "todos", "deletions")
    }


@dataclass
class TwoUsers:
    alice: httpx2.AsyncClient
    bob: httpx2.AsyncClient
    # Todo ids by title, and deletion ids by owner ("alice_deletion", "bob_deletion").
    ids: dict[str, int]


@pytest.fixture
async def two_users(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> AsyncIterator[TwoUsers]:
    """Alice (on `client`) and Bob (a client of his own), each with an active, a done and
    a deleted todo, created in turns so that their ids interleave."""
    async with client_for(app) as bob:
        await sign_up(client, "alice@example.com")
        await sign_up(bob, "bob@example.com")
        owners = {"alice": client, "bob": bob}
        for title in TITLES:
            await add_todo(owners[title.split("_")[0]], title)
        rows = await fetch(db, "SELECT id, title FROM todos")
        ids = {row.title: row.id for row in rows}
        for title in ("alice_done", "bob_done"):
            response = await post_form(owners[title.split("_")[0]], f"/todos/{ids[title]}/toggle")
            assert response.status_code == 303, response.text
        for title in ("alice_deleted", "bob_deleted"):
            response = await post_form(owners[title.split("_")[0]], f"/todos/{ids[title]}/delete")
            assert response.status_code == 303, response.text
        for name in owners:
            (deletion,) = await fetch(
                db,
                "SELECT deletions.id FROM deletions JOIN users ON users.id = deletions.owner_id"
                " WHERE users.email = :email",
                email=f"{name}@example.com",
            )
            ids[f"{name}_deletion"] = deletion.id
        yield TwoUsers(alice=client, bob=bob, ids=ids)


# Each of Alice's actions on her own todos: the path, the form, and the list she then sees.
OWN_ACTIONS: dict[str, tuple[str, dict[str, str], list[tuple[str, bool]]]] = {
    "add": ("/todos", {"title": "alice_new"}, [*ALICE_SEES, ("alice_new", False)]),
    "toggle": ("/todos/{alice_active}/toggle", {}, [("alice_active", True), ("alice_done", True)]),
    "edit": (
        "/todos/{alice_active}",
        {"title": "alice_edited", "description": "details"},
        [("alice_edited", False), ("alice_done", True)],
    ),
    "rename": (
        "/todos/{alice_active}",
        {"title": "alice_renamed"},
        [("alice_renamed", False), ("alice_done", True)],
    ),
    "delete": ("/todos/{alice_active}/delete", {}, [("alice_done", True)]),
    "undo": ("/deletions/{alice_deletion}/undo", {}, [*ALICE_SEES, ("alice_deleted", False)]),
    "toggle all done": (
        "/todos/toggle-all",
        {"done": "true"},
        [("alice_active", True), ("alice_done", True)],
    ),
    "toggle all active": (
        "/todos/toggle-all",
        {},
        [("alice_active", False), ("alice_done", False)],
    ),
    "clear completed": ("/todos/clear-completed", {}, [("alice_active", False)]),
}


@pytest.mark.parametrize("action", list(OWN_ACTIONS))
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
async def test_one_users_actions_leave_another_users_todos_untouched(
    two_users: TwoUsers, db: AsyncSession, action: str, htmx: bool
) -> None:
    path, form, alice_sees = OWN_ACTIONS[action]
    bobs_rows = await rows_of(db, "bob@example.com")
    assert len(bobs_rows) == 3

    response = await post_form(two_users.alice, path.format_map(two_users.ids), form, htmx=htmx)

    if htmx:
        assert response.status_code == 200, response.text
        assert "<html" not in response.text
        assert "bob_" not in response.text
        assert items_left(response.text) == sum(not done for _, done in alice_sees)
    else:
        assert response.status_code == 303, response.text
        assert urlsplit(response.headers["location"]).path == "/"
    # Alice's action did what it says...
    alices_page = (await two_users.alice.get("/")).text
    assert shown(alices_page) == alice_sees
    assert items_left(alices_page) == sum(not done for _, done in alice_sees)
    # ...and Bob's todos are exactly as they were, in the database and on his page.
    assert await rows_of(db, "bob@example.com") == bobs_rows
    bobs_page = (await two_users.bob.get("/")).text
    assert shown(bobs_page) == BOB_SEES
    assert items_left(bobs_page) == 1


# Each action on one todo (or deletion), aimed by Alice at Bob's: method, path, form, the
# ids it is aimed at in turn, and what the 404 says.
ACTIONS_ON_ONE: dict[str, tuple[str, str, dict[str, str], tuple[str, ...], str]] = {
    "toggle": ("POST", "/todos/{id}/toggle", {}, ("bob_active", "bob_done"), "todo"),
    "edit": (
        "POST",
        "/todos/{id}",
        {"title": "hijacked", "description": "x"},
        ("bob_active", "bob_done"),
        "todo",
    ),
    "rename": ("POST", "/todos/{id}", {"title": "hijacked"}, ("bob_active", "bob_done"), "todo"),
    "delete": ("POST", "/todos/{id}/delete", {}, ("bob_active", "bob_done"), "todo"),
    "edit page": ("GET", "/todos/{id}/edit", {}, ("bob_active", "bob_done"), "todo"),
    "undo": ("POST", "/deletions/{id}/undo", {}, ("bob_deletion",), "undo"),
}
NOT_FOUND = {"todo": "That todo does not exist.", "undo": "That can no longer be undone."}


@pytest.mark.parametrize("action", list(ACTIONS_ON_ONE))
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
async def test_acting_on_another_users_todo_is_a_404_that_changes_nothing(
    two_users: TwoUsers, db: AsyncSession, action: str, htmx: bool
) -> None:
    method, path, form, targets, not_found = ACTIONS_ON_ONE[action]
    before = await everything(db)
    for target in targets:
        url = path.format(id=two_users.ids[target])
        if method == "GET":
            response = await two_users.alice.get(url, headers=HTMX if htmx else {})
        else:
            response = await post_form(two_users.alice, url, form, htmx=htmx)

        assert response.status_code == 404, (target, response.text)
        assert NOT_FOUND[not_found] in response.text
        assert "bob_" not in response.text
        assert await everything(db) == before, target
    assert shown((await two_users.bob.get("/")).text) == BOB_SEES
    assert shown((await two_users.alice.get("/")).text) == ALICE_SEES
