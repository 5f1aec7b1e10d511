"""Smoke test: the real server, started the way the README says, over real HTTP.

`python -m webapp.cli serve` applies the migrations to a fresh SQLite file and runs
uvicorn on a free loopback port; a cookie-keeping client then signs up, adds a todo and
ticks it off the way htmx does (fragment request, CSRF token in a header).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2

from tests.helpers import csrf_token_in as csrf_token
from tests.server import TODO_ROW, Server

if TYPE_CHECKING:
    from pathlib import Path


def test_sign_up_add_and_toggle_a_todo_over_http(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        server.start()
        server.wait_until_ready()
        try:
            _walk_through(server.base_url)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{server.log()}") from exc
    finally:
        server.stop()


def _walk_through(base_url: str) -> None:
    email = "smoke@example.com"
    title = "Buy milk from the smoke test"
    with httpx2.Client(base_url=base_url, timeout=10) as client:
        signup = client.get("/signup")
        assert signup.status_code == 200, signup.text
        response = client.post(
            "/signup",
            data={
                "email": email,
                "password": "correct horse battery",
                "csrf_token": csrf_token(signup.text),
            },
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"

        page = client.get("/")
        assert page.status_code == 200, page.text
        assert email in page.text
        # Logging in changed the CSRF token: it is bound to the new session.
        token = csrf_token(page.text)

        response = client.post("/todos", data={"title": title, "csrf_token": token})
        assert response.status_code == 303, response.text

        page = client.get("/")
        assert title in page.text
        rows = TODO_ROW.findall(page.text)
        assert len(rows) == 1, page.text
        todo_id, classes = rows[0]
        assert "completed" not in classes

        # What htmx sends when the checkbox changes (static/app.js adds the header).
        response = client.post(
            f"/todos/{todo_id}/toggle",
            headers={
                "HX-Request": "true",
                "HX-Request-Type": "partial",
                "X-CSRF-Token": csrf_token(page.text),
            },
        )
        assert response.status_code == 200, response.text
        assert f'<li id="todo-{todo_id}" class="completed' in response.text
        assert "<strong>0</strong> items left" in response.text
        assert "<html" not in response.text, "expected a fragment, got a whole page"

        page = client.get("/")
        assert f'<li id="todo-{todo_id}" class="completed' in page.text
        assert "<strong>0</strong> items left" in page.text
