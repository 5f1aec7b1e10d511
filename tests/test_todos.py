"""The todo list over HTTP: plain forms (POST -> 303 -> GET) and htmx fragments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.helpers import Account, add_todo, client_for, csrf_token, fetch, post_form, sign_up

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li id="todo-(\d+)"', html)]


def count_text(html: str) -> str:
    match = re.search(r'<span class="todo-count"[^>]*>(.*?)</span>', html)
    assert match, "no counter"
    return match.group(1)


async def todos_in_db(db: AsyncSession) -> list[tuple[int, str, str | None, bool]]:
    # Deleted todos keep their rows while Undo is offered: they are not in the list.
    rows = await fetch(
        db,
        "SELECT id, title, description, done FROM todos WHERE deletion_id IS NULL ORDER BY id",
    )
    return [(r.id, r.title, r.description, bool(r.done)) for r in rows]


# -- the page --


async def test_empty_list_hides_main_and_footer(client: httpx2.AsyncClient, user: Account) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "<h1>todos</h1>" in page.text
    assert 'placeholder="What needs to be done?"' in page.text
    assert re.search(r'<footer id="footer" class="footer"\s+hidden', page.text)
    assert row_ids(page.text) == []
    assert page.headers["Vary"] == "HX-Request, HX-Request-Type"


async def test_add_with_a_plain_form(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(
        client, "/todos", {"title": "  Buy milk  ", "description": " 2 litres \r\nsemi "}
    )
    assert response.status_code == 303
    # Back to the list, at the new row.
    assert response.headers["location"] == "/#todo-1"
    assert await todos_in_db(db) == [(1, "Buy milk", "2 litres \nsemi", False)]
    page = await client.get("/")
    assert row_ids(page.text) == [1]
    assert ">Buy milk</label>" in page.text
    assert '<p class="description" dir="auto">2 litres \nsemi</p>' in page.text
    assert count_text(page.text) == "<strong>1</strong> item left"


async def test_add_with_htmx_returns_the_row_and_summary(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos", {"title": "Write tests"}, htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == [1]
    assert '<footer id="footer" class="footer"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert count_text(response.text) == "<strong>1</strong> item left"
    assert "<html" not in response.text
    assert await todos_in_db(db) == [(1, "Write tests", None, False)]


async def test_the_page_escapes_user_text(client: httpx2.AsyncClient, user: Account) -> None:
    await add_todo(client, "<script>alert('x')</script> & \"q\"", "<b>bold</b>")
    page = (await client.get("/")).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# -- toggle --


async def test_toggle_with_htmx_changes_only_the_row_and_counter(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "one")
    await add_todo(client, "two")
    response = await post_form(client, "/todos/1/toggle", htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == [1]
    assert '<li id="todo-1" class="completed">' in response.text
    assert count_text(response.text) == "<strong>1</strong> item left"
    assert await todos_in_db(db) == [(1, "one", None, True), (2, "two", None, False)]

    response = await post_form(client, "/todos/1/toggle", htmx=True)
    assert '<li id="todo-1" class="">' in response.text
    assert count_text(response.text) == "<strong>2</strong> items left"
    assert await todos_in_db(db) == [(1, "one", None, False), (2, "two", None, False)]


async def test_toggle_with_a_plain_form_returns_to_the_filter(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "one")
    response = await post_form(client, "/todos/1/toggle?filter=active&order=newest")
    assert response.status_code == 303
    assert response.headers["location"] == "/active?order=newest"
    assert (await todos_in_db(db))[0][3] is True


async def test_toggle_out_of_the_current_filter_removes_the_row(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "one")
    response = await post_form(client, "/todos/1/toggle?filter=active", htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == []
    assert count_text(response.text) == "<strong>0</strong> items left"


@pytest.mark.parametrize("order", ["", "?order=newest"])
async def test_every_form_on_a_filtered_page_returns_to_that_page(
    client: httpx2.AsyncClient, user: Account, order: str
) -> None:
    await add_todo(client, "one")
    for page, query in (("/active", "filter=active"), ("/completed", "filter=completed")):
        html = (await client.get(page + order)).text
        actions = re.findall(r'(?:action|hx-post)="(/todos[^"]*)"', html)
        assert actions
        expected = query + ("&amp;order=newest" if order else "")
        assert all(action.endswith("?" + expected) for action in actions), actions


async def test_html_responses_are_never_stored(client: httpx2.AsyncClient, user: Account) -> None:
    await add_todo(client, "one")
    for response in (
        await client.get("/"),
        await client.get("/todos/1/edit"),
        await post_form(client, "/todos/1/toggle", htmx=True),
        await client.get("/nowhere"),
    ):
        assert response.headers["cache-control"] == "no-store"


# -- edit --


async def test_edit_page_saves_title_and_description(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "old", "old details")
    page = await client.get("/todos/1/edit")
    assert page.status_code == 200
    assert 'value="old"' in page.text
    assert ">old details</textarea>" in page.text
    response = await post_form(
        client, "/todos/1", {"title": " new ", "description": "  "}, token_from="/todos/1/edit"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/#todo-1"
    assert await todos_in_db(db) == [(1, "new", None, False)]


async def test_inline_edit_with_htmx_changes_the_title_only(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "old", "keep me")
    response = await post_form(client, "/todos/1", {"title": "renamed"}, htmx=True)
    assert response.status_code == 200
    assert ">renamed</label>" in response.text
    assert await todos_in_db(db) == [(1, "renamed", "keep me", False)]


async def test_updated_at_moves_on_edit(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "old")
    before = (await fetch(db, "SELECT created_at, updated_at FROM todos"))[0]
    response = await post_form(client, "/todos/1", {"title": "new"}, htmx=True)
    assert response.status_code == 200
    after = (await fetch(db, "SELECT created_at, updated_at FROM todos"))[0]
    assert after.created_at == before.created_at
    assert after.updated_at >= before.updated_at


# -- delete, toggle all, clear completed --


async def test_delete_with_htmx(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "one")
    await add_todo(client, "two")
    response = await post_form(client, "/todos/1/delete", htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == []
    assert count_text(response.text) == "<strong>1</strong> item left"
    assert [t[0] for t in await todos_in_db(db)] == [2]


async def test_delete_with_a_plain_form(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "one")
    response = await post_form(client, "/todos/1/delete?filter=completed")
    assert response.status_code == 303
    assert response.headers["location"] == "/completed"
    assert await todos_in_db(db) == []


async def test_toggle_all_marks_everything_done_then_active(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    for title in ("a", "b", "c"):
        await add_todo(client, title)
    await post_form(client, "/todos/2/toggle")
    response = await post_form(client, "/todos/toggle-all", {"done": "true"}, htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == [1, 2, 3]
    assert response.text.count('class="completed"') == 3
    assert re.search(r'class="toggle-all" type="checkbox"\s*checked', response.text)
    assert [t[3] for t in await todos_in_db(db)] == [True, True, True]

    response = await post_form(client, "/todos/toggle-all")  # unticked: no "done" field
    assert response.status_code == 303
    assert [t[3] for t in await todos_in_db(db)] == [False, False, False]


async def test_clear_completed(client: httpx2.AsyncClient, user: Account, db: AsyncSession) -> None:
    for title in ("a", "b", "c"):
        await add_todo(client, title)
    page = await client.get("/")
    assert "Clear completed" not in page.text
    await post_form(client, "/todos/1/toggle")
    await post_form(client, "/todos/3/toggle")
    assert ">Clear completed</button>" in (await client.get("/")).text
    response = await post_form(client, "/todos/clear-completed", htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == [2]
    assert "Clear completed" not in response.text
    assert [t[0] for t in await todos_in_db(db)] == [2]


# -- filters, order, paging --


async def test_filters_show_matching_todos(client: httpx2.AsyncClient, user: Account) -> None:
    for title in ("a", "b", "c"):
        await add_todo(client, title)
    await post_form(client, "/todos/2/toggle")
    pages = {path: (await client.get(path)).text for path in ("/", "/active", "/completed")}
    assert row_ids(pages["/"]) == [1, 2, 3]
    assert row_ids(pages["/active"]) == [1, 3]
    assert row_ids(pages["/completed"]) == [2]
    assert '<a href="/active"\nclass="selected"' in pages["/active"] or re.search(
        r'href="/active"\s+class="selected"', pages["/active"]
    )
    for page in pages.values():
        assert count_text(page) == "<strong>2</strong> items left"


async def test_newest_first_order(client: httpx2.AsyncClient, user: Account) -> None:
    for title in ("a", "b", "c"):
        await add_todo(client, title)
    assert row_ids((await client.get("/?order=newest")).text) == [3, 2, 1]
    assert row_ids((await client.get("/?order=bogus")).text) == [1, 2, 3]


async def test_long_lists_are_paged(client: httpx2.AsyncClient, user: Account, app) -> None:  # type: ignore[no-untyped-def]
    for i in range(app.state.settings.page_size + 5):
        await add_todo(client, f"todo {i}")
    page = await client.get("/")
    ids = row_ids(page.text)
    assert len(ids) == app.state.settings.page_size
    assert count_text(page.text) == f"<strong>{ids[-1] + 5}</strong> items left"
    more = re.search(r'href="(/\?after=\d+)"', page.text)
    assert more, "no Show more link"
    rest = await client.get(more.group(1), headers=HTMX)
    assert row_ids(rest.text) == list(range(ids[-1] + 1, ids[-1] + 6))
    assert "<html" not in rest.text
    assert 'href="/?after=' not in rest.text  # the last page has no further link
    assert row_ids((await client.get(more.group(1))).text) == row_ids(rest.text)


# -- ownership --


OWNED_ACTIONS = [
    ("POST", "/todos/{id}/toggle", {}),
    ("POST", "/todos/{id}", {"title": "hijacked"}),
    ("POST", "/todos/{id}", {"title": "hijacked", "description": "x"}),
    ("POST", "/todos/{id}/delete", {}),
    ("GET", "/todos/{id}/edit", {}),
]


@pytest.mark.parametrize(("method", "path", "data"), OWNED_ACTIONS)
@pytest.mark.parametrize("htmx", [False, True])
async def test_another_users_todo_is_a_404_and_untouched(
    client: httpx2.AsyncClient,
    db: AsyncSession,
    method: str,
    path: str,
    data: dict[str, str],
    htmx: bool,
) -> None:
    await sign_up(client, "owner@example.com")
    await add_todo(client, "private")
    client.cookies.clear()
    await sign_up(client, "intruder@example.com")
    url = path.format(id=1)
    if method == "GET":
        response = await client.get(url, headers=HTMX if htmx else {})
    else:
        response = await post_form(client, url, data, htmx=htmx)
    assert response.status_code == 404
    assert "That todo does not exist." in response.text
    assert "private" not in response.text
    assert await todos_in_db(db) == [(1, "private", None, False)]
    # Same answer as for an id that doesn't exist at all.
    missing = path.format(id=999)
    if method == "GET":
        assert (await client.get(missing)).status_code == 404
    else:
        assert (await post_form(client, missing, data)).status_code == 404


async def test_each_user_sees_only_their_own_todos(client: httpx2.AsyncClient) -> None:
    await sign_up(client, "first@example.com")
    await add_todo(client, "first's todo")
    client.cookies.clear()
    await sign_up(client, "second@example.com")
    page = await client.get("/")
    assert row_ids(page.text) == []
    assert "first&#39;s todo" not in page.text
    assert count_text(page.text) == "<strong>0</strong> items left"


# -- bad input --


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Please enter a title."),
        ("   \t ", "Please enter a title."),
        ("x" * 201, "at most 200 characters"),
        ("nul\x00byte", "control characters"),
        ("bell\x07", "control characters"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
async def test_bad_titles_are_refused_with_422(
    client: httpx2.AsyncClient,
    user: Account,
    db: AsyncSession,
    title: str,
    message: str,
    htmx: bool,
) -> None:
    await add_todo(client, "existing")
    for path in ("/todos", "/todos/1"):
        response = await post_form(client, path, {"title": title}, htmx=htmx)
        assert response.status_code == 422, path
        assert message in response.text
        assert 'class="field-error"' in response.text
    assert await todos_in_db(db) == [(1, "existing", None, False)]


async def test_exactly_200_characters_and_unusual_unicode_are_fine(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    titles = ["é" * 200, "👩‍👩‍👧 family", "עברית RTL \u202e", "ｆｕｌｌ width", "e\u0301 combining"]
    for title in titles:
        await add_todo(client, title)
    assert [t[1] for t in await todos_in_db(db)] == titles


async def test_missing_title_field(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos", {})
    assert response.status_code == 422
    assert "Please enter a title." in response.text
    assert await todos_in_db(db) == []


async def test_repeated_fields_are_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/todos",
        content=f"csrf_token={token}&title=a&title=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "sent more than once" in response.text
    assert await todos_in_db(db) == []


async def test_overlong_description_is_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos", {"title": "t", "description": "d" * 5001})
    assert response.status_code == 422
    assert "at most 5000 characters" in response.text
    assert await todos_in_db(db) == []


@pytest.mark.parametrize(
    "todo_id", ["0", "9223372036854775807", "9223372036854775808", "99999999999999999999999"]
)
async def test_ids_beyond_64_bits_are_404(
    client: httpx2.AsyncClient, user: Account, todo_id: str
) -> None:
    await add_todo(client, "one")
    assert (await post_form(client, f"/todos/{todo_id}/toggle")).status_code == 404
    assert (await client.get(f"/todos/{todo_id}/edit")).status_code == 404


@pytest.mark.parametrize("after", ["x", "-1", "1" * 30])
async def test_bad_page_link_is_400(client: httpx2.AsyncClient, user: Account, after: str) -> None:
    response = await client.get("/", params={"after": after})
    assert response.status_code == 400
    assert "That page link is not valid." in response.text


@pytest.mark.parametrize("token", [None, "", "0" * 64, "not-hex"])
async def test_missing_or_wrong_csrf_token_is_403(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, token: str | None
) -> None:
    data = {"title": "forged"} | ({"csrf_token": token} if token is not None else {})
    response = await client.post("/todos", data=data)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    response = await client.post(
        "/todos", data={"title": "forged"}, headers={"X-CSRF-Token": token or "x"} | HTMX
    )
    assert response.status_code == 403
    assert await todos_in_db(db) == []


async def test_cross_site_post_is_refused_even_with_a_token(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    token = await csrf_token(client, "/")
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = await client.post(
            "/todos", data={"csrf_token": token, "title": "x"}, headers=headers
        )
        assert response.status_code == 403
    assert await todos_in_db(db) == []


async def test_oversized_body_is_413(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos", {"title": "t", "description": "d" * 200_000})
    assert response.status_code == 413
    assert "more data than we accept" in response.text
    assert await todos_in_db(db) == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc'),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc',
        ),
        ("multipart/form-data; boundary=x", b"garbage without boundaries"),
    ],
)
async def test_malformed_multipart_is_400(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, content_type: str, body: bytes
) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/todos", content=body, headers={"Content-Type": content_type, "X-CSRF-Token": token}
    )
    assert response.status_code == 400
    assert "<h1>We couldn&#39;t read that request</h1>" in response.text
    assert await todos_in_db(db) == []


async def test_unknown_todo_route_is_a_404_page(client: httpx2.AsyncClient, user: Account) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>We couldn&#39;t find that</h1>" in response.text


@pytest.mark.parametrize(
    ("path", "form", "left"),
    [
        ("/todos/3/toggle", {}, 3),
        ("/todos/4/toggle", {}, 1),
        ("/todos/3", {"title": "renamed"}, 2),
        ("/todos/4", {"title": "edited", "description": "and described"}, 2),
    ],
)
async def test_the_counter_after_a_change_counts_what_the_list_counts(
    app: Starlette,
    client: httpx2.AsyncClient,
    user: Account,
    path: str,
    form: dict[str, str],
    left: int,
) -> None:
    # The changed row's own statement counts too (webapp/queries.py): the owner's todos
    # only, less those deleted and waiting for an Undo, with the changed row as it is
    # now. Another person's todo and a deleted one are there to be left out.
    async with client_for(app) as bob:
        await sign_up(bob, "bob@example.com")
        await add_todo(bob, "bob's")  # id 1
    for title in ("deleted", "done", "active", "also active"):  # ids 2 to 5
        await add_todo(client, title)
    for action in ("/todos/2/delete", "/todos/3/toggle"):
        assert (await post_form(client, action)).status_code == 303

    response = await post_form(client, path, form, htmx=True)

    assert response.status_code == 200
    items = "item" if left == 1 else "items"
    assert count_text(response.text) == f"<strong>{left}</strong> {items} left"
    assert count_text((await client.get("/")).text) == count_text(response.text)
