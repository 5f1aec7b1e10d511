"""Rules every request and template follows: GET is safe, only allow-listed fields are
read, output is escaped and nothing user-supplied is evaluated as code [ASVS 3.5.3,
15.3.3, 1.2.1]."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.helpers import add_todo, all_routes, fetch, post_form
from webapp.config import PROJECT_ROOT

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.applications import Starlette

    from tests.helpers import Account

SNAPSHOT = {
    "users": "SELECT id, email, password_hash FROM users ORDER BY id",
    "lists": "SELECT id, owner_id, name, deletion_id FROM lists ORDER BY id",
    "todos": "SELECT id, list_id, title, description, done, updated_at FROM todos ORDER BY id",
    "login_sessions": "SELECT id, user_id, created_at FROM login_sessions ORDER BY id",
    "throttle_counters": "SELECT key, failures FROM throttle_counters ORDER BY key",
}


async def snapshot(db: AsyncSession) -> dict[str, list[object]]:
    return {table: await fetch(db, sql) for table, sql in SNAPSHOT.items()}


async def test_get_never_changes_state(
    app: Starlette, client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    await add_todo(client, "one")
    await add_todo(client, "two")
    await post_form(client, "/todos/1/toggle")
    before = await snapshot(db)
    paths = [
        re.sub(r"\{\w+:id\}", "1", path)
        for name, (path, methods) in all_routes(app).items()
        if "GET" in methods and name not in {"static", "htmx", "sortable"}
    ]
    assert len(paths) >= 7
    for path in paths:
        for query in ("", "?order=newest", "?after=1", "?toggle=1&done=true&delete=1"):
            response = await client.get(path + query)
            assert response.status_code in {200, 303}, (path, query, response.status_code)
    assert await snapshot(db) == before


async def test_only_allow_listed_fields_are_read(
    client: httpx2.AsyncClient, user: Account, db: AsyncSession
) -> None:
    extra = {
        "id": "999",
        "owner_id": "999",
        "list_id": "999",
        "done": "true",
        "created_at": "2000-01-01",
    }
    await post_form(client, "/todos", {"title": "mine"} | extra)
    await post_form(client, "/todos/1", {"title": "renamed", "description": "d"} | extra)
    rows = await fetch(db, "SELECT id, list_id, title, done FROM todos")
    [(inbox_id,)] = await fetch(db, "SELECT id FROM lists")
    assert rows == [(1, inbox_id, "renamed", False)]
    client.cookies.clear()  # a visitor signing up
    response = await post_form(
        client,
        "/signup",
        {"email": "b@example.com", "password": "long enough passphrase", "id": "1"},
        token_from="/signup",
    )
    assert response.status_code in {303, 422}


async def test_user_text_is_escaped_in_pages_fragments_and_attributes(
    client: httpx2.AsyncClient, user: Account
) -> None:
    evil = "<script>alert(1)</script>\"' onmouseover=alert(2) {{7*7}}"
    await add_todo(client, evil, description=evil)
    for response in (
        await client.get("/"),
        await client.get("/todos/1/edit"),
        await post_form(client, "/todos/1/toggle", htmx=True),
    ):
        assert "<script>alert(1)" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
        assert '" onmouseover' not in response.text
        # Text is data, never a template: the braces arrive as typed.
        assert "{{7*7}}" in response.text


def test_templates_never_mark_text_safe_or_put_data_in_code() -> None:
    templates = list((PROJECT_ROOT / "templates").rglob("*.html"))
    assert templates
    hx_attribute = re.compile(r'\b(?:data-)?(hx-[a-z:-]+)="([^"]*)"')
    for template in templates:
        source = template.read_text()
        assert not re.search(r"\|\s*safe\b", source), template
        assert "autoescape false" not in source, template
        assert "<script>" not in source.replace("<script src=", ""), template
        assert not re.search(r"\son[a-z]+=", source), f"inline event handler in {template}"
        for name, value in hx_attribute.findall(source):
            # hx-on, hx-vals with js: and friends evaluate code: none at all.
            assert not name.startswith(("hx-on", "hx-vals", "hx-headers", "hx-vars")), template
            # Interpolation only of server-built URLs and fixed choices, never user text.
            for expression in re.findall(r"{{(.*?)}}", value):
                assert re.fullmatch(
                    r"\s*('[a-z_]+'\|path(\(.*\))?|view\.query|'[a-z]+' if view\.order == 'newest'"
                    r" else '[a-z]+')\s*",
                    expression,
                ), (template, name, expression)
    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "webapp").rglob("*.py"))
    assert "Markup(" not in source
    assert "autoescape=True" in source
