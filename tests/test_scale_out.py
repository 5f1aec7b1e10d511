"""Stateless processes: two servers on different ports, one PostgreSQL database, serve the
same logged-in user. Sessions, CSRF and throttling hold across them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2
import pytest

from tests.databases import throwaway_postgres
from tests.helpers import SECRET
from tests.helpers import csrf_token_in as csrf_token
from tests.server import TODO_ROW, Server

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.postgres
PASSWORD = "correct horse battery"


def test_two_processes_serve_the_same_logged_in_user(tmp_path: Path) -> None:
    env = {"SECRET_KEY": SECRET, "LOGIN_FAILURES_PER_ACCOUNT": "2"}
    with throwaway_postgres("webapp_scale_out") as url:
        servers = [Server(tmp_path / name, database_url=url, env=env) for name in ("a", "b")]
        for server in servers:
            server.stdout_path.parent.mkdir()
            server.start()
        try:
            for server in servers:
                server.wait_until_ready()
            _alternate(*(server.base_url for server in servers))
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{servers[0].log()}\n{servers[1].log()}") from exc
        finally:
            for server in servers:
                server.stop()


def _alternate(a: str, b: str) -> None:
    with (
        httpx2.Client(base_url=a, timeout=10) as on_a,
        httpx2.Client(base_url=b, timeout=10) as on_b,
    ):
        page = on_a.get("/signup")
        response = on_a.post(
            "/signup",
            data={
                "email": "both@example.com",
                "password": PASSWORD,
                "csrf_token": csrf_token(page.text),
            },
        )
        assert response.status_code == 303
        # The browser's cookie, presented to the other process.
        on_b.cookies.set("session", on_a.cookies["session"])
        page_b = on_b.get("/")
        assert page_b.status_code == 200
        assert "both@example.com" in page_b.text
        # A token from one process's page is good on the other (same secret, same session).
        token = csrf_token(page_b.text)
        assert on_b.post("/todos", data={"title": "Added on B", "csrf_token": token}).is_redirect
        [(todo_id, _)] = TODO_ROW.findall(on_a.get("/").text)
        response = on_a.post(
            f"/todos/{todo_id}/toggle", headers={"HX-Request": "true", "X-CSRF-Token": token}
        )
        assert response.status_code == 200
        assert 'class="completed"' in on_b.get("/").text

        # Failed logins on A count on B.
        with (
            httpx2.Client(base_url=a, timeout=10) as guesser_a,
            httpx2.Client(base_url=b, timeout=10) as guesser_b,
        ):
            for guesser in (guesser_a, guesser_b):
                token = csrf_token(guesser.get("/login").text)
                response = guesser.post(
                    "/login",
                    data={"email": "both@example.com", "password": "wrong", "csrf_token": token},
                )
                assert response.status_code == 422
            token = csrf_token(guesser_b.get("/login").text)
            response = guesser_b.post(
                "/login",
                data={"email": "both@example.com", "password": PASSWORD, "csrf_token": token},
            )
            assert response.status_code == 429

        # Logging out on B ends the session on A too.
        assert on_b.post("/logout", data={"csrf_token": token_of(on_b)}).is_redirect
        assert on_a.get("/").status_code == 303


def token_of(client: httpx2.Client) -> str:
    return csrf_token(client.get("/").text)
