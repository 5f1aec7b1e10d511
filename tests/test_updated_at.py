"""A todo's `updated_at` moves forward whenever the todo changes, and only then.

The timestamps are first set two days into the past, so a change made now must show as
strictly later: a clock that didn't move would not pass for one that did.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update

from tests.helpers import add_todo, fetch, post_form
from webapp.models import Todo

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession

    from tests.helpers import Account

TWO_DAYS_AGO = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)

# Each change, made to todo 2 of three (todo 3 is done): path, form, the todos it
# changes, and then every todo's (title, description, done).
CHANGES: dict[str, tuple[str, dict[str, str], set[int], list[tuple[str, str | None, bool]]]] = {
    "toggle": (
        "/todos/2/toggle",
        {},
        {2},
        [("one", None, False), ("two", None, True), ("three", None, True)],
    ),
    "edit": (
        "/todos/2",
        {"title": "new title", "description": "new details"},
        {2},
        [("one", None, False), ("new title", "new details", False), ("three", None, True)],
    ),
    "rename": (
        "/todos/2",
        {"title": "new title"},
        {2},
        [("one", None, False), ("new title", None, False), ("three", None, True)],
    ),
    "toggle all done": (
        "/todos/toggle-all",
        {"done": "true"},
        {1, 2},
        [("one", None, True), ("two", None, True), ("three", None, True)],
    ),
    "toggle all active": (
        "/todos/toggle-all",
        {},
        {3},
        [("one", None, False), ("two", None, False), ("three", None, False)],
    ),
}


async def timestamps(db: AsyncSession) -> dict[int, tuple[datetime, datetime]]:
    """Each todo's (created_at, updated_at), as committed."""
    await db.rollback()
    rows = await db.execute(select(Todo.id, Todo.created_at, Todo.updated_at).order_by(Todo.id))
    return {row.id: (row.created_at, row.updated_at) for row in rows}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
async def test_updated_at_moves_forward_on_every_change_and_only_for_the_changed_todos(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, change: str, htmx: bool
) -> None:
    for title in ("one", "two", "three"):
        await add_todo(client, title)
    assert (await post_form(client, "/todos/3/toggle")).status_code == 303
    await db.execute(update(Todo).values(created_at=TWO_DAYS_AGO, updated_at=TWO_DAYS_AGO))
    await db.commit()
    path, form, changed, todos = CHANGES[change]

    response = await post_form(client, path, form, htmx=htmx)

    assert response.status_code == (200 if htmx else 303), response.text
    if htmx:
        assert '<li id="todo-2"' in response.text
    rows = await fetch(db, "SELECT title, description, done FROM todos ORDER BY id")
    assert [(row.title, row.description, bool(row.done)) for row in rows] == todos
    after = await timestamps(db)
    assert set(after) == {1, 2, 3}
    for todo_id, (created_at, updated_at) in after.items():
        assert created_at == TWO_DAYS_AGO, todo_id
        if todo_id in changed:
            assert updated_at > TWO_DAYS_AGO, f"todo {todo_id} changed, updated_at didn't move"
        else:
            assert updated_at == TWO_DAYS_AGO, f"todo {todo_id} didn't change, updated_at moved"
