"""Labels (set on the edit page, shown as links, a page per label) and search (full text,
in the database's own index, across lists); both only ever show the person's own todos."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from tests.helpers import HTMX, add_todo, client_for, fetch, post_form, sign_up
from webapp.queries import _search_statement, search_terms

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

TITLES = re.compile(r'<label class="title"[^>]*>([^<]*)</label>')
LABEL_LINKS = re.compile(
    r'<a class="label" href="([^"]+)" dir="auto"><span aria-hidden="true">#</span>([^<]*)</a>'
)


def titles(page: str) -> list[str]:
    return [html.unescape(title) for title in TITLES.findall(page)]


async def edit(
    client: httpx2.AsyncClient, todo_id: int, title: str, labels: str, **more: str
) -> httpx2.Response:
    form = {"title": title, "description": more.pop("description", ""), "labels": labels, **more}
    return await post_form(client, f"/todos/{todo_id}", form)


async def labels_in_db(db: AsyncSession) -> list[tuple[int, str]]:
    rows = await fetch(db, "SELECT todo_id, name FROM todo_labels ORDER BY todo_id, name")
    return [(row.todo_id, row.name) for row in rows]


# -- labels ------------------------------------------------------------------------------


async def test_labels_set_on_the_edit_page_show_as_links_on_the_row(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "groceries")
    response = await edit(client, 1, "groceries", " errands,home ,, errands,  big   shop ")
    assert response.status_code == 303
    # Trimmed, inner spaces made single, empty ones and repeats dropped.
    assert await labels_in_db(db) == [(1, "big shop"), (1, "errands"), (1, "home")]
    page = (await client.get("/")).text
    assert LABEL_LINKS.findall(page) == [
        ("/labels/big%20shop", "big shop"),
        ("/labels/errands", "errands"),
        ("/labels/home", "home"),
    ]
    edit_page = (await client.get("/todos/1/edit")).text
    assert 'value="big shop, errands, home"' in edit_page
    # Saved again with fewer, the others go.
    await edit(client, 1, "groceries", "home")
    assert await labels_in_db(db) == [(1, "home")]
    await edit(client, 1, "groceries", "")
    assert await labels_in_db(db) == []


async def test_an_htmx_toggle_keeps_the_rows_labels(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "groceries")
    await edit(client, 1, "groceries", "errands, home")
    response = await post_form(client, "/todos/1/toggle", htmx=True)
    assert [name for _, name in LABEL_LINKS.findall(response.text)] == ["errands", "home"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("x" * 51, "A label can be at most 50 characters long."),
        ("ok, bad\x00label", "A label can&#39;t contain control characters."),
        (",".join(f"l{n}" for n in range(21)), "A todo can have at most 20 labels."),
    ],
)
async def test_a_bad_label_is_refused_next_to_the_field_and_nothing_is_saved(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, labels: str, message: str
) -> None:
    await add_todo(client, "groceries")
    await edit(client, 1, "groceries", "kept")
    response = await edit(client, 1, "renamed", labels)
    assert response.status_code == 422
    assert f'<p id="labels-error" class="field-error">{message}</p>' in response.text
    assert 'aria-describedby="labels-error"' in response.text
    assert await labels_in_db(db) == [(1, "kept")]
    assert [row.title for row in await fetch(db, "SELECT title FROM todos")] == ["groceries"]


async def test_a_labels_page_lists_the_persons_todos_with_it_across_lists(
    app: Starlette, client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "groceries")
    await add_todo(client, "unlabelled")
    response = await post_form(client, "/lists", {"name": "Work"})
    work = int(response.headers["location"].rsplit("/", 1)[1])
    await post_form(client, f"/todos?list={work}", {"title": "expenses"})
    await edit(client, 1, "groceries", "errands")
    await edit(client, 3, "expenses", "errands, big shop")
    await post_form(client, "/todos/3/toggle")
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "bob's errand")
        await edit(bob, 4, "bob's errand", "errands")

    page = (await client.get("/labels/errands")).text
    assert "<title>Label: errands · todos</title>" in page
    # Still to do first, then done; each with its list.
    assert titles(page) == ["groceries", "expenses"]
    assert '<a class="in-list" href="/lists/2" dir="auto">Work</a>' in page
    assert titles((await client.get("/labels/big%20shop")).text) == ["expenses"]
    nobody = (await client.get("/labels/nobody's")).text
    assert titles(nobody) == []
    assert "No todos with this label." in nobody


async def test_a_row_that_loses_its_label_leaves_the_labels_page(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "groceries")
    await edit(client, 1, "groceries", "errands")
    response = await edit(client, 1, "groceries", "")
    assert response.status_code == 303
    response = await post_form(client, "/todos/1/toggle?view=label&term=errands", htmx=True)
    assert 'id="todo-1"' not in response.text


# -- search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "postgresql", "sqlite"),
    [
        ("running", "running:*", '"running"*'),
        ("  Buy  milk! ", "Buy:* & milk:*", '"Buy"* AND "milk"*'),
        ("café's", "café:* & s:*", '"café"* AND "s"*'),
        # Words, even the engine's operators, are only ever quoted or words.
        ('" OR * NEAR( -', "OR:* & NEAR:*", '"OR"* AND "NEAR"*'),
        ('"*()-:&|!', None, None),
        ("", None, None),
    ],
)
def test_search_terms_are_words_and_nothing_the_engine_would_read_as_syntax(
    typed: str, postgresql: str | None, sqlite: str | None
) -> None:
    assert search_terms(typed, "postgresql") == postgresql
    assert search_terms(typed, "sqlite") == sqlite


async def _searchable(client: httpx2.AsyncClient) -> None:
    await add_todo(client, "Go running in the park")
    await add_todo(client, "Buy groceries", "milk, eggs and bread")
    await add_todo(client, "Call the bank", "about the runner's insurance")
    response = await post_form(client, "/lists", {"name": "Work"})
    work = int(response.headers["location"].rsplit("/", 1)[1])
    await post_form(client, f"/todos?list={work}", {"title": "Ship the groceries app"})


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # Language-aware: "run" finds "running" and "runner's" (stemmed on both sides).
        ("run", ["Call the bank", "Go running in the park"]),
        ("runs", ["Call the bank", "Go running in the park"]),
        # As the person types: the start of a word.
        ("groc", ["Ship the groceries app", "Buy groceries"]),
        # Every word, in the title or the description.
        ("groceries eggs", ["Buy groceries"]),
        ("MILK", ["Buy groceries"]),
        ("zebra", []),
    ],
)
async def test_search_finds_by_title_and_description_across_lists(
    client: httpx2.AsyncClient, user: Account, query: str, found: list[str]
) -> None:
    await _searchable(client)
    response = await client.get("/search", params={"q": query})
    assert response.status_code == 200
    assert titles(response.text) == found
    assert f"{len(found)} found for “{html.escape(query)}”" in response.text
    # The box says what was searched for.
    assert 'aria-label="Search" placeholder="Search"' in response.text
    assert f'value="{html.escape(query)}"' in response.text


async def test_search_shows_only_the_persons_own_todos_and_not_deleted_ones(
    app: Starlette, client: httpx2.AsyncClient, user: Account
) -> None:
    await _searchable(client)
    await post_form(client, "/todos/2/delete")
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "Bob's groceries")
        assert titles((await bob.get("/search?q=groceries")).text) == ["Bob's groceries"]
    assert titles((await client.get("/search?q=groceries")).text) == ["Ship the groceries app"]


async def test_search_follows_edits_and_deletes(client: httpx2.AsyncClient, user: Account) -> None:
    await add_todo(client, "old words")
    await edit(client, 1, "new title", "", description="fresh details")
    assert titles((await client.get("/search?q=old")).text) == []
    assert titles((await client.get("/search?q=fresh")).text) == ["new title"]
    await post_form(client, "/todos/toggle-all", {"done": "true"})
    await post_form(client, "/todos/clear-completed")
    assert titles((await client.get("/search?q=fresh")).text) == []


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 200), ("   ", 200), ('"*', 200), ("x" * 201, 400), ("a\x00b", 400), ("日本語", 200)],
)
async def test_any_search_text_gets_a_page_never_an_error(
    client: httpx2.AsyncClient, user: Account, query: str, status: int
) -> None:
    await _searchable(client)
    response = await client.get("/search", params={"q": query})
    assert response.status_code == status
    assert '<section id="todo-main"' in response.text
    if status == 400:
        assert 'class="field-error across-hint" role="alert"' in response.text


async def test_an_htmx_search_answers_with_the_page_whose_main_it_swaps(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await _searchable(client)
    response = await client.get("/search?q=bank", headers=HTMX)
    assert response.status_code == 200
    assert '<main id="main"' in response.text
    assert "<title>“bank” · Search · todos</title>" in response.text
    assert titles(response.text) == ["Call the bank"]


async def test_search_uses_the_engines_own_index(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await _searchable(client)
    dialect = db.get_bind().dialect
    terms = search_terms("run", dialect.name)
    statement = (
        _search_statement(dialect.name)
        .params(owner=1, terms=terms, limit=10)
        .compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    )
    await db.rollback()
    if dialect.name == "postgresql":
        # Enough todos that reading them all costs more than the index.
        await db.execute(
            text(
                "INSERT INTO todos (list_id, title) SELECT lists.id, 'filler ' || n"
                " FROM lists, generate_series(1, 3000) AS n"
            )
        )
        await db.execute(text("ANALYZE todos"))
        explain, index = "EXPLAIN", "ix_todos_search"
    else:
        explain, index = "EXPLAIN QUERY PLAN", "todos_search VIRTUAL TABLE INDEX"
    rows = await db.execute(text(f"{explain} {statement}"))
    plan = "\n".join(str(row[-1]) for row in rows)
    assert index in plan, plan


@pytest.mark.parametrize(
    "path", ["/labels/a%00b", "/labels/%00", "/labels/a,b", "/labels/" + "x" * 51]
)
async def test_a_label_page_for_a_name_no_label_can_have_is_not_found(
    client: httpx2.AsyncClient, user: Account, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "There is no such label." in response.text
