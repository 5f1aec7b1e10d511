"""Undo after a delete, clear completed, or an emptied title: exactly what was removed
comes back, from the database, once, and only for its owner."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.helpers import HTMX, add_todo, client_for, csrf_token, fetch, post_form, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

UNDO_FORM = re.compile(r'<form method="post" action="/deletions/(\d+)/undo')
ALL_COLUMNS = "SELECT id, title, description, done, created_at, updated_at FROM todos"


async def snapshot(db: AsyncSession) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await fetch(db, f"{ALL_COLUMNS} ORDER BY id")]


async def visible_ids(db: AsyncSession) -> list[int]:
    rows = await fetch(db, "SELECT id FROM todos WHERE deletion_id IS NULL ORDER BY id")
    return [row.id for row in rows]


async def three_todos(client: httpx2.AsyncClient) -> None:
    await add_todo(client, "first", "one")
    await add_todo(client, "second", "two")
    await add_todo(client, "third")
    await post_form(client, "/todos/2/toggle")


async def test_delete_with_htmx_offers_undo_and_undo_restores_exactly(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await three_todos(client)
    before = await snapshot(db)

    response = await post_form(client, "/todos/2/delete", htmx=True)
    assert response.status_code == 200
    assert "Deleted “second”." in response.text
    assert ">Undo</button>" in response.text
    assert await visible_ids(db) == [1, 3]
    (deletion,) = UNDO_FORM.findall(response.text)

    response = await post_form(client, f"/deletions/{deletion}/undo", htmx=True)
    assert response.status_code == 200
    # The list comes back whole, the restored row in its place, with its values.
    assert re.findall(r'<li id="todo-(\d+)"', response.text) == ["1", "2", "3"]
    assert '<li id="todo-2" class="completed">' in response.text
    assert "Restored." in response.text
    assert response.headers["x-restored"] == "todo-2"  # where app.js puts the focus
    assert await snapshot(db) == before
    assert await fetch(db, "SELECT id FROM deletions") == []


async def test_delete_without_javascript_offers_undo_on_the_next_page(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await three_todos(client)
    before = await snapshot(db)
    response = await post_form(client, "/todos/1/delete")
    assert response.status_code == 303
    # Back at the row that took its place.
    assert response.headers["location"] == "/#todo-2"
    page = await client.get("/")
    assert "Deleted “first”." in page.text
    (deletion,) = UNDO_FORM.findall(page.text)
    # Shown once: the next page doesn't offer it again.
    assert not UNDO_FORM.findall((await client.get("/")).text)

    response = await post_form(client, f"/deletions/{deletion}/undo")
    assert response.status_code == 303
    assert response.headers["location"] == "/#todo-1"
    assert "Restored." in (await client.get("/")).text
    assert await snapshot(db) == before


async def test_clear_completed_is_undone_as_one(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await three_todos(client)
    await post_form(client, "/todos/3/toggle")
    before = await snapshot(db)
    response = await post_form(client, "/todos/clear-completed", htmx=True)
    assert "Deleted 2 completed todos." in response.text
    assert await visible_ids(db) == [1]
    (deletion,) = UNDO_FORM.findall(response.text)
    response = await post_form(client, f"/deletions/{deletion}/undo", htmx=True)
    assert "Restored 2 todos." in response.text
    assert await snapshot(db) == before


async def test_clearing_the_title_inline_deletes_with_undo(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    # The inline editor sends an emptied title to the delete action (app.js); the
    # server refuses an empty title on the update route itself.
    await add_todo(client, "keep me")
    refused = await post_form(client, "/todos/1", {"title": "  "}, htmx=True)
    assert refused.status_code == 422
    assert await visible_ids(db) == [1]
    response = await post_form(client, "/todos/1/delete", htmx=True)
    assert UNDO_FORM.findall(response.text)


async def test_undo_works_once_even_when_two_tabs_press_it_together(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await three_todos(client)
    before = await snapshot(db)
    response = await post_form(client, "/todos/3/delete", htmx=True)
    (deletion,) = UNDO_FORM.findall(response.text)
    token = await csrf_token(client, "/")
    headers = HTMX | {"X-CSRF-Token": token}
    first, second = await asyncio.gather(
        client.post(f"/deletions/{deletion}/undo", headers=headers),
        client.post(f"/deletions/{deletion}/undo", headers=headers),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 404]
    late = first if first.status_code == 404 else second
    assert "That can no longer be undone." in late.text
    assert await snapshot(db) == before


async def test_another_users_deletion_cant_be_undone(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "mine")
    response = await post_form(client, "/todos/1/delete", htmx=True)
    (deletion,) = UNDO_FORM.findall(response.text)
    async with client_for(app) as other:
        await sign_up(other, "eve@example.com")
        response = await post_form(other, f"/deletions/{deletion}/undo", htmx=True)
        assert response.status_code == 404
    assert await visible_ids(db) == []
    assert len(await fetch(db, "SELECT id FROM deletions")) == 1


async def test_deletions_past_the_undo_window_are_purged_for_good(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "old")
    await add_todo(client, "new")
    response = await post_form(client, "/todos/1/delete", htmx=True)
    (old_deletion,) = UNDO_FORM.findall(response.text)
    await db.execute(
        text("UPDATE deletions SET created_at = :long_ago WHERE id = :id"),
        {"long_ago": datetime(2000, 1, 1, tzinfo=UTC), "id": int(old_deletion)},
    )
    await db.commit()
    # The next delete purges deletions whose window has passed: the todo goes for good.
    await post_form(client, "/todos/2/delete", htmx=True)
    assert [row.id for row in await fetch(db, "SELECT id FROM todos")] == [2]
    response = await post_form(client, f"/deletions/{old_deletion}/undo", htmx=True)
    assert response.status_code == 404


async def test_a_purged_todos_id_is_never_given_to_a_new_todo(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    # A page still showing the purged todo must not act on a newer one with its id.
    await add_todo(client, "first")
    await add_todo(client, "newest")
    await post_form(client, "/todos/2/delete")
    await db.execute(
        text("UPDATE deletions SET created_at = :t"), {"t": datetime(2000, 1, 1, tzinfo=UTC)}
    )
    await db.commit()
    await post_form(client, "/todos/1/delete")  # purges the old deletion, and todo 2
    assert [row.id for row in await fetch(db, "SELECT id FROM todos")] == [1]
    await add_todo(client, "another")
    assert [row.id for row in await fetch(db, "SELECT id FROM todos ORDER BY id")] == [1, 3]
    assert (await post_form(client, "/todos/2/toggle", htmx=True)).status_code == 404


async def test_one_users_delete_purges_only_their_own_old_deletions(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "alice's")
    response = await post_form(client, "/todos/1/delete", htmx=True)
    (deletion,) = UNDO_FORM.findall(response.text)
    await db.execute(
        text("UPDATE deletions SET created_at = :t"), {"t": datetime(2000, 1, 1, tzinfo=UTC)}
    )
    await db.commit()
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "bob's")
        assert (await post_form(bob, "/todos/2/delete", htmx=True)).status_code == 200
    # Alice's deletion waits for her own next delete (or the clean-up): Undo still works.
    response = await post_form(client, f"/deletions/{deletion}/undo", htmx=True)
    assert response.status_code == 200
    assert await visible_ids(db) == [1]
