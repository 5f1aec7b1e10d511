"""Paths where a person used to lose trust: several tabs, long lists, no JavaScript,
errors out of sight. Each test failed before its fix."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from tests.helpers import (
    HTMX,
    PASSWORD,
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
    from collections.abc import AsyncIterator

    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

ROW = re.compile(r'<li id="todo-(\d+)"')
# What a browser says about a form posted from one of our own pages.
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def row_ids(html: str) -> list[int]:
    return [int(n) for n in ROW.findall(html)]


# -- 1. a refused title without JavaScript leaks into no row --


async def test_a_refused_new_title_shows_its_error_only_on_the_new_todo_field(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "first")
    await add_todo(client, "second")
    response = await post_form(client, "/todos", {"title": "   "})
    assert response.status_code == 422
    assert response.text.count("Please enter a title.") == 1
    assert 'aria-describedby="new-title-error"' in response.text
    # Rows keep their titles and stay closed.
    assert ">first</label>" in response.text
    assert ">second</label>" in response.text
    assert 'class="edit"' in response.text
    assert "editing" not in response.text
    assert len(await fetch(db, "SELECT id FROM todos")) == 2


# -- 2. "Show more" and long lists --


@pytest.fixture
async def paged(database_url: str) -> AsyncIterator[tuple[Starlette, httpx2.AsyncClient]]:
    app = create_app(settings_for(database_url, page_size=3))
    async with app.router.lifespan_context(app), client_for(app) as client:
        await sign_up(client)
        for n in range(1, 8):
            await add_todo(client, f"todo {n}")
        yield app, client


async def test_a_todo_added_while_rows_are_unseen_is_not_appended_out_of_place(
    paged: tuple[Starlette, httpx2.AsyncClient],
) -> None:
    _, client = paged
    # The page shows 3 of 7 rows: the new todo belongs after the 4 unseen ones.
    response = await post_form(
        client, "/todos", {"title": "eighth", "shown": "3", "more": "1"}, htmx=True
    )
    assert response.status_code == 200
    assert row_ids(response.text) == []
    assert "Added “eighth” at the end of the list." in response.text
    # "Show more" then brings it exactly once, in its place.
    seen = row_ids((await client.get("/")).text)
    after = seen[-1]
    while True:
        more = await client.get(f"/?after={after}", headers=HTMX)
        page = row_ids(more.text)
        if not page:
            break
        seen += page
        after = page[-1]
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("shown", ["7", "0"])
async def test_a_todo_added_to_a_whole_list_is_appended(
    paged: tuple[Starlette, httpx2.AsyncClient], shown: str
) -> None:
    # "0": a tab opened before the other todos were added elsewhere; it has no "Show
    # more" link, so the new row must show (or nothing would).
    _, client = paged
    form = {"title": "eighth", "shown": shown, "more": "0"}
    response = await post_form(client, "/todos", form, htmx=True)
    assert row_ids(response.text) == [8]


async def test_rows_loaded_by_show_more_belong_to_the_page_they_join(
    paged: tuple[Starlette, httpx2.AsyncClient],
) -> None:
    _, client = paged
    headers = HTMX | {"HX-Current-URL": "http://testserver/"}
    more = await client.get("/?after=3", headers=headers)
    assert row_ids(more.text) == [4, 5, 6]
    assert 'action="/todos/4/toggle"' in more.text
    assert 'href="/todos/4/edit"' in more.text
    # On a page that itself starts later (a bookmarked "/?after=3"), they keep its start.
    headers = HTMX | {"HX-Current-URL": "http://testserver/?after=3"}
    more = await client.get("/?after=6", headers=headers)
    assert 'action="/todos/7/toggle?after=3"' in more.text
    headers = HTMX | {"HX-Current-URL": "http://["}
    assert (await client.get("/?after=6", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("path", "form"), [("/todos/toggle-all", {"done": "true"}), ("/todos/clear-completed", {})]
)
async def test_bulk_actions_keep_the_rows_show_more_had_loaded(
    paged: tuple[Starlette, httpx2.AsyncClient], path: str, form: dict[str, str]
) -> None:
    _, client = paged
    await post_form(client, "/todos/2/toggle")
    response = await post_form(client, path, form | {"shown": "6"}, htmx=True)
    assert response.status_code == 200
    expected = [1, 2, 3, 4, 5, 6] if "toggle" in path else [1, 3, 4, 5, 6, 7]
    assert row_ids(response.text) == expected
    # Still a way to the rest, when there is a rest.
    assert ("Show more" in response.text) == ("toggle" in path)


async def test_without_javascript_an_action_on_a_later_page_returns_to_that_page_and_row(
    paged: tuple[Starlette, httpx2.AsyncClient],
) -> None:
    _, client = paged
    page_two = await client.get("/?after=3")
    assert row_ids(page_two.text) == [4, 5, 6]
    assert 'action="/todos/5/toggle?after=3"' in page_two.text
    response = await post_form(client, "/todos/5/toggle?after=3")
    assert response.status_code == 303
    assert response.headers["location"] == "/?after=3#todo-5"
    # A row that leaves the view: back to its neighbour.
    response = await post_form(client, "/todos/5/toggle?filter=completed&after=3")
    assert response.headers["location"] == "/completed?after=3"
    response = await post_form(client, "/todos/4/toggle?filter=active")
    assert response.headers["location"] == "/active#todo-5"


# -- 3. several tabs --


async def test_a_login_form_from_before_logging_in_elsewhere_lands_on_the_list(
    app: Starlette, client: httpx2.AsyncClient, db: AsyncSession
) -> None:
    stale_token = await csrf_token(client, "/login")  # tab 1 shows the login form
    await sign_up(client)  # tab 2 signs up (and so logs in)
    response = await client.post(
        "/login",
        data={"csrf_token": stale_token, "email": "ada@example.com", "password": PASSWORD},
        headers=SAME_SITE,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert len(await fetch(db, "SELECT id FROM login_sessions")) == 1


async def test_log_out_after_logging_out_in_another_tab_lands_on_the_login_page(
    client: httpx2.AsyncClient, user: Account
) -> None:
    token = await csrf_token(client, "/")
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    response = await client.post("/logout", data={"csrf_token": token}, headers=SAME_SITE)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You are logged out." in (await client.get("/login")).text


async def test_an_action_after_the_session_ended_elsewhere_goes_to_login_with_a_word(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "mine")
    token = await csrf_token(client, "/")
    # Another tab logs out everywhere.
    async with app.state.sessionmaker() as other, other.begin():
        await other.execute(text("DELETE FROM login_sessions"))
    response = await client.post(
        "/todos/1/toggle",
        headers=HTMX
        | SAME_SITE
        | {"X-CSRF-Token": token, "HX-Current-URL": "http://testserver/active"},
    )
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=%2Factive"
    login_page = await client.get("/login?next=%2Factive")
    assert "Your session ended, please log in again." in login_page.text
    assert [row.done for row in await fetch(db, "SELECT done FROM todos")] == [False]


async def test_a_form_from_before_logging_in_again_reloads_instead_of_a_403(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "mine")
    old_token = await csrf_token(client, "/")
    # Another tab logs out and in again: a new session, a new token.
    await post_form(client, "/logout")
    token = await csrf_token(client, "/login")
    await client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": user.password}
    )
    response = await client.post(
        "/todos/1/toggle", headers=HTMX | SAME_SITE | {"X-CSRF-Token": old_token}
    )
    assert response.status_code == 204
    assert response.headers["hx-refresh"] == "true"
    page = (await client.get("/")).text
    assert "That page was from an earlier session, so nothing was changed." in page
    assert f"You are logged in as {user.email}" in page
    assert [row.done for row in await fetch(db, "SELECT done FROM todos")] == [False]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://attacker.example"},
        {},  # no word from a browser: not one of our pages
    ],
)
async def test_a_cross_site_or_unlabelled_request_with_a_wrong_token_is_still_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/todos", data={"csrf_token": "0" * 64, "title": "x"}, headers=headers
    )
    assert response.status_code == 403
    assert await fetch(db, "SELECT id FROM todos") == []


# -- 4. errors where the person is looking --


async def test_ticking_a_todo_deleted_in_another_tab_removes_its_row_with_a_message(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "gone")
    await post_form(client, "/todos/1/delete")
    token = await csrf_token(client, "/")
    response = await client.post(
        "/todos/1/toggle", headers=HTMX | {"X-CSRF-Token": token, "HX-Target": "li#todo-1"}
    )
    assert response.status_code == 404
    assert response.headers["hx-reswap"] == "delete"
    assert (
        'id="messages" class="messages" role="status" aria-live="polite"'
        ' data-hx-swap-oob="innerHTML"' in response.text
    )
    assert "That todo does not exist." in response.text


# -- 6. error pages keep the header --


@pytest.mark.parametrize(
    ("method", "path", "title"),
    [
        ("GET", "/nowhere", "We couldn&#39;t find that"),
        ("GET", "/logout", "That can&#39;t be done here"),
        ("GET", "/todos/99/edit", "We couldn&#39;t find that"),
    ],
)
async def test_error_pages_keep_the_logged_in_header_and_say_what_happened(
    client: httpx2.AsyncClient, user: Account, method: str, path: str, title: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code in {404, 405}
    assert f"<h1>{title}</h1>" in response.text
    assert f">{user.email}</a>" in response.text
    assert ">Log out</button>" in response.text


# -- 8. feedback --


async def test_saving_on_the_edit_page_says_saved_on_the_list(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "draft")
    response = await post_form(client, "/todos/1", {"title": "final", "description": ""})
    assert response.headers["location"] == "/#todo-1"
    page = (await client.get("/")).text
    assert "Saved “final”." in page
    assert "Saved" not in (await client.get("/")).text


async def test_a_tampered_message_cookie_shows_nothing(
    client: httpx2.AsyncClient, user: Account
) -> None:
    client.cookies.set("flash", "WyJIYWNrZWQiLCBudWxsXQ==.0000")
    page = (await client.get("/")).text
    assert "Hacked" not in page


# -- 10. small ones --


async def test_a_new_password_equal_to_the_current_one_is_refused(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    [(before,)] = await fetch(db, "SELECT password_hash FROM users")
    response = await post_form(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": user.password},
        token_from="/account",
    )
    assert response.status_code == 422
    assert "That is your current password. Please choose a new one." in response.text
    assert 'id="new_password"' in response.text
    assert await fetch(db, "SELECT password_hash FROM users") == [(before,)]


async def test_the_page_has_a_skip_link_a_description_and_a_filters_landmark(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "x")
    page = (await client.get("/")).text
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page
    assert '<meta name="description"' in page
    assert '<nav aria-label="Filters">' in page
    assert page.count(">todos<") == 1
    # The title's accessible name is the title (not a tooltip); the hint describes it.
    label = '<label class="title" dir="auto" tabindex="0" title="x" aria-describedby="edit-hint">'
    assert label + "x</label>" in page
    assert "<title>All · Inbox · todos</title>" in page


async def test_settings_come_from_the_environment_every_one_of_them() -> None:
    from webapp.config import Settings

    settings = Settings.from_environ(
        {"PAGE_SIZE": "7", "MAX_BODY_BYTES": "2048", "SIGNUPS_PER_ADDRESS": "4", "HTTPS": "true"}
    )
    assert (settings.page_size, settings.max_body_bytes, settings.signups_per_address) == (
        7,
        2048,
        4,
    )
    assert settings.https is True


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_password_check_needs_one_connection_at_a_time(database_url: str) -> None:
    # With a pool of one, a second connection would wait 5 s and answer 503.
    app = create_app(settings_for(database_url, db_pool_size=1))
    async with app.router.lifespan_context(app), client_for(app) as client:
        account = await sign_up(client)
        response = await post_form(
            client,
            "/account/password",
            {"current_password": "wrong password", "new_password": "a new passphrase"},
            token_from="/account",
        )
        assert response.status_code == 422
        response = await post_form(
            client,
            "/account/password",
            {"current_password": account.password, "new_password": "a new passphrase"},
            token_from="/account",
        )
        assert response.status_code == 303


async def test_adding_on_the_completed_view_says_where_the_todo_went(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    response = await post_form(client, "/todos?filter=completed", {"title": "new"}, htmx=True)
    assert response.status_code == 200
    assert row_ids(response.text) == []
    assert "Added “new” to the active todos." in response.text
    assert len(await fetch(db, "SELECT id FROM todos")) == 1


async def test_the_edit_page_returns_to_a_page_that_shows_the_row(
    paged: tuple[Starlette, httpx2.AsyncClient],
) -> None:
    _, client = paged
    # Todo 5 is past the first page (3 rows): "Show more" had loaded it.
    page = await client.get("/todos/5/edit")
    assert 'href="/?after=4#todo-5">Cancel</a>' in page.text
    assert 'action="/todos/5?after=4"' in page.text
    response = await post_form(client, "/todos/5?after=4", {"title": "five", "description": ""})
    assert response.headers["location"] == "/?after=4#todo-5"
    assert row_ids((await client.get("/?after=4")).text)[0] == 5
    # A row on the first page comes back to the first page.
    response = await post_form(client, "/todos/2", {"title": "two", "description": ""})
    assert response.headers["location"] == "/#todo-2"
    # Newest first, the page "after" the next id up starts at the row.
    page = await client.get("/todos/3/edit?order=newest")
    assert 'href="/?order=newest&amp;after=4#todo-3">Cancel</a>' in page.text
