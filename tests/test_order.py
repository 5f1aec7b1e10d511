"""Orders: oldest, newest, by due date, and the list's own (moved by buttons or by
dragging); every order pages without repeating or losing a row; concurrent moves keep
positions apart."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.helpers import (
    HTMX,
    add_todo,
    client_for,
    csrf_token,
    fetch,
    post_form,
    settings_for,
    sign_up,
)
from webapp.app import create_app

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

TITLES = re.compile(r'<label class="title"[^>]*>([^<]*)</label>')
MORE = re.compile(r'<a class="button" href="([^"]+)"\s+data-hx-boost')


def titles(page: str) -> list[str]:
    return [html.unescape(title) for title in TITLES.findall(page)]


async def shown(client: httpx2.AsyncClient, order: str, path: str = "/") -> list[str]:
    return titles((await client.get(path, params={"order": order})).text)


async def positions(db: AsyncSession) -> list[tuple[str, int]]:
    rows = await fetch(db, "SELECT title, position FROM todos ORDER BY position, id")
    return [(row.title, row.position) for row in rows]


async def five(client: httpx2.AsyncClient) -> None:
    for title in ("a", "b", "c", "d", "e"):
        await add_todo(client, title)


async def set_due(client: httpx2.AsyncClient, todo_id: int, title: str, due: date) -> None:
    form = {"title": title, "description": "", "due_on": due.isoformat()}
    assert (await post_form(client, f"/todos/{todo_id}", form)).status_code == 303


async def test_each_order_shows_the_list_its_way(client: httpx2.AsyncClient, user: Account) -> None:
    await five(client)
    today = date.today()
    await set_due(client, 2, "b", today + timedelta(days=3))
    await set_due(client, 4, "d", today - timedelta(days=1))
    await set_due(client, 5, "e", today + timedelta(days=3))
    assert await shown(client, "oldest") == ["a", "b", "c", "d", "e"]
    assert await shown(client, "newest") == ["e", "d", "c", "b", "a"]
    # By due date, the undated last; ties in creation order.
    assert await shown(client, "due") == ["d", "b", "e", "a", "c"]
    # Not moved yet: the own order is the order they were added in.
    assert await shown(client, "manual") == ["a", "b", "c", "d", "e"]
    assert await shown(client, "sideways") == ["a", "b", "c", "d", "e"]
    page = (await client.get("/?order=due")).text
    assert '<a href="/?order=due" class="selected" aria-current="true">By due date</a>' in page
    # Filters keep the order.
    assert 'href="/active?order=due"' in page


@pytest.mark.parametrize("order", ["oldest", "newest", "due", "manual"])
async def test_show_more_pages_through_every_order_without_repeats_or_gaps(
    database_url: str, order: str
) -> None:
    app = create_app(settings_for(database_url, page_size=3))
    async with app.router.lifespan_context(app), client_for(app) as client:
        await sign_up(client)
        for n in range(1, 9):
            await add_todo(client, f"t{n}")
        today = date.today()
        for todo_id, days in ((2, 5), (3, 1), (5, 1), (7, -2)):
            await set_due(client, todo_id, f"t{todo_id}", today + timedelta(days=days))
        for todo_id in (6, 1):  # own order: 6 first, then 1 after 3
            await post_form(client, f"/todos/{todo_id}/move", {"after": ""})
        await post_form(client, "/todos/1/move", {"after": "3"})

        page = (await client.get("/", params={"order": order})).text
        seen = titles(page)
        assert len(seen) == 3
        while match := MORE.search(page):
            page = (await client.get(html.unescape(match.group(1)))).text
            seen += titles(page)
    assert (
        seen
        == {
            "oldest": [f"t{n}" for n in range(1, 9)],
            "newest": [f"t{n}" for n in range(8, 0, -1)],
            "due": ["t7", "t3", "t5", "t2", "t1", "t4", "t6", "t8"],
            "manual": ["t6", "t2", "t3", "t1", "t4", "t5", "t7", "t8"],
        }[order]
    )


async def test_move_up_and_down_without_javascript(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await five(client)
    response = await post_form(client, "/todos/3/move?order=manual", {"step": "up"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?order=manual#todo-3"
    assert await shown(client, "manual") == ["a", "c", "b", "d", "e"]
    await post_form(client, "/todos/3/move?order=manual", {"step": "up"})
    assert await shown(client, "manual") == ["c", "a", "b", "d", "e"]
    # First already: nothing moves.
    await post_form(client, "/todos/3/move?order=manual", {"step": "up"})
    assert await shown(client, "manual") == ["c", "a", "b", "d", "e"]
    await post_form(client, "/todos/1/move?order=manual", {"step": "down"})
    assert await shown(client, "manual") == ["c", "b", "a", "d", "e"]
    await post_form(client, "/todos/5/move?order=manual", {"step": "down"})
    assert await shown(client, "manual") == ["c", "b", "a", "d", "e"]
    # The buttons are there in the own order only.
    page = (await client.get("/?order=manual")).text
    assert 'aria-label="Move “c” up"' in page
    assert "data-movable" in page
    assert 'aria-label="Move “c” up"' not in (await client.get("/")).text


async def test_a_move_in_a_filtered_view_passes_the_rows_it_shows(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await five(client)
    await post_form(client, "/todos/2/toggle")
    await post_form(client, "/todos/4/toggle")
    # Active shows a, c, e: e up goes above c (past the hidden d).
    await post_form(client, "/todos/5/move?order=manual&filter=active", {"step": "up"})
    assert await shown(client, "manual", "/active") == ["a", "e", "c"]


async def test_an_htmx_move_answers_with_the_list_in_its_new_order(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await five(client)
    token = await csrf_token(client, "/")
    response = await client.post(
        "/todos/2/move?order=manual",
        data={"step": "down"},
        headers=HTMX | {"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert titles(response.text) == ["a", "c", "b", "d", "e"]


async def test_a_dragged_row_goes_right_after_the_one_before_it(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await five(client)
    token = await csrf_token(client, "/")
    headers = {"X-CSRF-Token": token}
    response = await client.post("/todos/5/move", data={"after": "1"}, headers=headers)
    assert response.status_code == 204
    assert await shown(client, "manual") == ["a", "e", "b", "c", "d"]
    await client.post("/todos/2/move", data={"after": ""}, headers=headers)
    assert await shown(client, "manual") == ["b", "a", "e", "c", "d"]
    # A move changes nothing a person wrote: not even when it was last updated.
    rows = await fetch(db, "SELECT updated_at, created_at FROM todos WHERE id = 2")
    assert rows[0].updated_at == rows[0].created_at


async def test_many_moves_into_one_gap_renumber_the_list_in_order(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await five(client)
    token = await csrf_token(client, "/")
    # Each move halves the gap after "a": after ten, it is gone and the list renumbered.
    order = ["a", "b", "c", "d", "e"]
    for _ in range(14):
        last = order[-1]
        todo_id = "abcde".index(last) + 1
        response = await client.post(
            f"/todos/{todo_id}/move", data={"after": "1"}, headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 204
        order = [order[0], last, *order[1:-1]]
        assert await shown(client, "manual") == order
    stored = await positions(db)
    assert [title for title, _ in stored] == order
    assert len({position for _, position in stored}) == 5


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"after": "x"}, 400),
        ({"after": "99999999999999999999"}, 400),
        ({"step": "sideways"}, 400),
        ({}, 400),
        ({"after": "999"}, 404),
    ],
)
async def test_a_move_nowhere_is_refused_and_changes_nothing(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, form: dict[str, str], status: int
) -> None:
    await five(client)
    before = await positions(db)
    response = await post_form(client, "/todos/3/move", form)
    assert response.status_code == status
    assert await positions(db) == before


async def test_another_persons_todo_can_be_neither_moved_nor_moved_after(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "bob's")  # id 1
    await sign_up(client, "alice@example.com")
    await add_todo(client, "alice's")  # id 2
    before = await positions(db)
    assert (await post_form(client, "/todos/1/move", {"step": "up"})).status_code == 404
    assert (await post_form(client, "/todos/2/move", {"after": "1"})).status_code == 404
    assert await positions(db) == before


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_concurrent_moves_wait_for_one_another(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    """Ten rows dragged at once to the same place: each move reads the positions the one
    before it wrote (the list's lock), so no two rows land on the same position."""
    for n in range(12):
        await add_todo(client, f"t{n}")
    token = await csrf_token(client, "/")
    headers = {"X-CSRF-Token": token}
    responses = await asyncio.gather(
        *(
            client.post(f"/todos/{todo_id}/move", data={"after": "1"}, headers=headers)
            for todo_id in range(3, 13)
        )
    )
    assert [r.status_code for r in responses] == [204] * 10
    stored = await positions(db)
    assert len({position for _, position in stored}) == 12
    assert stored[0][0] == "t0"
    assert stored[-1][0] == "t1"
