"""Every route is classified: public, or login-required. A new route must be added here."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.helpers import all_routes, csrf_token

if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette

# The static files: ours, and those of the npm packages the pages load.
FILES = {"static", "htmx", "sortable"}
PUBLIC = {"signup", "signup_post", "login", "login_post", "logout", *FILES}
LOGIN_REQUIRED = {
    "todos_all",
    "todos_active",
    "todos_completed",
    "create",
    "toggle_all",
    "clear_completed",
    "toggle",
    "edit",
    "update",
    "delete",
    "move",
    "undo",
    "today",
    "upcoming",
    "label",
    "search",
    "add_list",
    "list_all",
    "list_active",
    "list_completed",
    "rename_list",
    "delete_list",
    "account",
    "change_time_zone",
    "change_password",
    "log_out_everywhere",
    "delete_account",
}


async def test_every_route_is_classified(app: Starlette) -> None:
    names = set(all_routes(app))
    assert names == PUBLIC | LOGIN_REQUIRED, "classify new routes as public or login-required"
    assert not PUBLIC & LOGIN_REQUIRED


@pytest.mark.parametrize("name", sorted(LOGIN_REQUIRED))
async def test_login_required_routes_send_anonymous_visitors_to_login(
    app: Starlette, client: httpx2.AsyncClient, name: str
) -> None:
    path, methods = all_routes(app)[name]
    path = re.sub(r"\{\w+:id\}", "1", path)
    token = await csrf_token(client, "/login")
    for method in methods - {"HEAD"}:
        response = await client.request(
            method, path, data={"csrf_token": token} if method == "POST" else None
        )
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("name", sorted(LOGIN_REQUIRED | PUBLIC - FILES))
async def test_unsafe_methods_need_the_csrf_token(
    app: Starlette, client: httpx2.AsyncClient, name: str
) -> None:
    path, methods = all_routes(app)[name]
    path = re.sub(r"\{\w+:id\}", "1", path)
    for method in methods - {"GET", "HEAD"}:
        response = await client.request(method, path, data={"title": "x"})
        assert response.status_code == 403, (method, path)
