"""Toggles are one UPDATE each: concurrent toggles can't lose one another (PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from tests.helpers import Account, add_todo, csrf_token, fetch
from webapp import queries
from webapp.models import User

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def test_a_toggle_waits_for_a_concurrent_one_instead_of_overwriting_it(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "contended")
    sessionmaker = app.state.sessionmaker
    async with sessionmaker() as first, sessionmaker() as second:
        owner = await first.scalar(select(User).where(User.email == user.email))
        assert owner is not None
        # The first toggle holds the row, uncommitted; the second starts meanwhile.
        assert (await queries.toggle_todo(first, owner, 1))[0].done is True
        second_toggle = asyncio.create_task(queries.toggle_todo(second, owner, 1))
        await asyncio.sleep(0.3)
        assert not second_toggle.done(), "the second toggle should wait for the row lock"
        await first.commit()
        # It then flips the committed value: back to active. A read-then-write toggle
        # would have read "active" before the first commit and written "done" again.
        assert (await second_toggle)[0].done is False
        await second.commit()
    (row,) = await fetch(db, "SELECT done FROM todos WHERE id = 1")
    assert row.done is False


@pytest.mark.parametrize("toggles", [20, 21])
async def test_concurrent_toggles_all_count(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, toggles: int
) -> None:
    await add_todo(client, "contended")
    token = await csrf_token(client, "/")
    headers = {"HX-Request": "true", "HX-Request-Type": "partial", "X-CSRF-Token": token}

    responses = await asyncio.gather(
        *(client.post("/todos/1/toggle", headers=headers) for _ in range(toggles))
    )

    assert [r.status_code for r in responses] == [200] * toggles
    # Each toggle flipped the value the database held at that moment: an odd number of
    # them leaves the todo done, an even number leaves it active. A read-then-write
    # toggle would lose flips under this load and land on either.
    (row,) = await fetch(db, "SELECT done FROM todos WHERE id = 1")
    assert row.done is (toggles % 2 == 1)


async def test_concurrent_adds_are_all_saved(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    responses = await asyncio.gather(
        *(
            client.post("/todos", data={"csrf_token": token, "title": f"todo {i}"})
            for i in range(25)
        )
    )
    assert {r.status_code for r in responses} == {303}
    rows = await fetch(db, "SELECT title FROM todos")
    assert sorted(r.title for r in rows) == sorted(f"todo {i}" for i in range(25))
