"""A fixed number of SQL statements per request, whatever the list's length (no N+1).

The numbers are part of the design (see the README): one statement for the login
session and its user, one for the page of todos with the counts of all; a toggle is the
session lookup, one UPDATE ... RETURNING and the counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import InvalidRequestError

from tests.helpers import Account, StatementCounter, add_todo, csrf_token
from webapp.dates import today_in
from webapp.models import Todo, TodoLabel, TodoList, User

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession

# The login session, the lists with their counts (the navigation), the page of rows
# (their labels in it, and the counter's counts).
LIST_PAGE_STATEMENTS = 3
# The same for Today, a label's page and a search.
ACROSS_PAGE_STATEMENTS = 3
# The login session, the update returning the row (its labels too) and its list's counts.
TOGGLE_STATEMENTS = 2
# A todo with a due date: the navigation's Today and Upcoming counts as well.
TOGGLE_DUE_STATEMENTS = 3


async def _give_todos(db: AsyncSession, email: str, n: int) -> None:
    """`n` todos in the Inbox; each has two labels and is due today, some are done."""
    inbox_id = await db.scalar(
        select(TodoList.id).join(User).where(User.email == email, TodoList.is_inbox)
    )
    today = await db.scalar(select(User.time_zone).where(User.email == email))
    assert today is not None
    due = today_in(today)
    await db.execute(
        insert(Todo),
        [
            {"list_id": inbox_id, "title": f"todo {i}", "done": i % 3 == 0, "due_on": due}
            for i in range(n)
        ],
    )
    ids = (await db.scalars(select(Todo.id).where(Todo.list_id == inbox_id))).all()
    await db.execute(
        insert(TodoLabel),
        [{"todo_id": todo_id, "name": name} for todo_id in ids for name in ("home", "todo")],
    )
    await db.commit()


@pytest.mark.parametrize("n", [1, 200])
async def test_list_page_statement_count_is_constant(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    count_statements: StatementCounter,
    n: int,
) -> None:
    await _give_todos(db, user.email, n)
    count_statements.statements.clear()
    response = await client.get("/")
    assert response.status_code == 200
    assert response.text.count('<li id="todo-') == min(n, 50)
    assert response.text.count('<a class="label" href="/labels/home"') == min(n, 50)
    assert count_statements.count == LIST_PAGE_STATEMENTS, count_statements.statements


@pytest.mark.parametrize("n", [1, 200])
@pytest.mark.parametrize("path", ["/today", "/labels/home", "/search?q=todo"])
async def test_pages_across_lists_have_a_constant_statement_count(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    count_statements: StatementCounter,
    n: int,
    path: str,
) -> None:
    await _give_todos(db, user.email, n)
    count_statements.statements.clear()
    response = await client.get(path)
    assert response.status_code == 200
    # Today shows the undone ones; a label and a search every one.
    shown = len([i for i in range(n) if i % 3]) if path == "/today" else n
    # The first hundred, and a word that there are more.
    assert response.text.count('<li id="todo-') == min(shown, 100)
    assert ("there are more" in response.text) == (shown > 100)
    assert count_statements.count == ACROSS_PAGE_STATEMENTS, count_statements.statements


@pytest.mark.parametrize("n", [1, 200])
async def test_toggle_statement_count_is_constant(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    count_statements: StatementCounter,
    n: int,
) -> None:
    await _give_todos(db, user.email, n)
    token = await csrf_token(client, "/")
    count_statements.statements.clear()
    response = await client.post(
        "/todos/1/toggle",
        headers={"HX-Request": "true", "HX-Request-Type": "partial", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert count_statements.count == TOGGLE_DUE_STATEMENTS, count_statements.statements
    updates = [s for s in count_statements.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    assert "RETURNING" in updates[0]


async def test_a_toggle_of_a_todo_without_a_due_date_is_two_statements(
    client: httpx2.AsyncClient, user: Account, count_statements: StatementCounter
) -> None:
    for title in ("one", "two"):
        await add_todo(client, title)
    token = await csrf_token(client, "/")
    count_statements.statements.clear()
    response = await client.post(
        "/todos/1/toggle",
        headers={"HX-Request": "true", "HX-Request-Type": "partial", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert count_statements.count == TOGGLE_STATEMENTS, count_statements.statements


async def test_toggle_all_is_one_update(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    count_statements: StatementCounter,
) -> None:
    await _give_todos(db, user.email, 120)
    token = await csrf_token(client, "/")
    count_statements.statements.clear()
    response = await client.post("/todos/toggle-all", data={"csrf_token": token, "done": "true"})
    assert response.status_code == 303
    writes = [s for s in count_statements.statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1
    assert writes[0].lstrip().upper().startswith("UPDATE TODOS")


async def test_relationships_never_load_lazily(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await _give_todos(db, user.email, 1)
    todo = await db.scalar(select(Todo))
    assert todo is not None
    # An unplanned load is an error at once, not a hidden query per row.
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = todo.todo_list
    owner = await db.scalar(select(User))
    assert owner is not None
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = owner.lists
