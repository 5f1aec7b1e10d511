"""Security headers on every kind of response, trusted hosts, and error pages that never
show a traceback or SQL [ASVS 3.4.3, 3.4.6]."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from starlette.exceptions import HTTPException

from tests.helpers import add_todo, client_for, csrf_token, post_form, settings_for, sign_up
from webapp import errors, queries
from webapp.app import create_app

if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette

    from tests.helpers import Account

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def assert_security_headers(response: httpx2.Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    # Plain HTTP in this configuration: no HSTS (see test_sessions for HTTPS).
    assert "strict-transport-security" not in response.headers


async def test_security_headers_on_pages_fragments_errors_and_static_files(
    client: httpx2.AsyncClient, user: Account
) -> None:
    await add_todo(client, "one")
    token = await csrf_token(client, "/")
    responses = {
        "page": await client.get("/"),
        "fragment": await client.post("/todos/1/toggle", headers=HTMX | {"X-CSRF-Token": token}),
        "404 page": await client.get("/nowhere"),
        "404 fragment": await client.post(
            "/todos/99/toggle", headers=HTMX | {"X-CSRF-Token": token}
        ),
        "403": await client.post("/todos", data={"title": "x"}),
        "405": await client.get("/todos"),
        "413": await post_form(client, "/todos", {"title": "t", "description": "d" * 200_000}),
        "422": await post_form(client, "/todos", {"title": ""}),
        "stylesheet": await client.get("/static/app.css"),
        "script": await client.get("/static/app.js"),
        "htmx": await client.get("/static/vendor/htmx/htmx.min.js"),
        "missing static": await client.get("/static/nothing.js"),
        "bad host": await client.get("/", headers={"Host": "evil.example"}),
    }
    expected = {"page": 200, "fragment": 200, "404 page": 404, "404 fragment": 404}
    expected |= {"403": 403, "405": 405, "413": 413, "422": 422, "stylesheet": 200}
    expected |= {"script": 200, "htmx": 200, "missing static": 404, "bad host": 400}
    assert {name: r.status_code for name, r in responses.items()} == expected
    for name, response in responses.items():
        try:
            assert_security_headers(response)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{name}: {exc!r}") from exc


async def test_untrusted_host_headers_are_refused(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/login", headers={"Host": "attacker.example"})).status_code == 400
    assert (await client.get("/login", headers={"Host": "localhost"})).status_code == 200


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("htmx", [False, True])
async def test_a_500_never_shows_a_traceback_or_sql(
    database_url: str, monkeypatch: pytest.MonkeyPatch, debug: bool, htmx: bool
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("SELECT password_hash FROM users -- internal detail")

    app = create_app(settings_for(database_url, debug=debug))
    # The server logs the exception and answers; the test transport would re-raise it.
    client = client_for(app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), client:
        await sign_up(client)
        monkeypatch.setattr(queries, "list_todos", broken)
        response = await client.get("/", headers=HTMX if htmx else {})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    for leak in ("Traceback", "SELECT", "password_hash", "RuntimeError", "internal detail"):
        assert leak not in response.text
    assert_security_headers(response)
    if htmx:
        # A message for the message area; nothing else on the page is swapped.
        assert response.headers["hx-reswap"] == "none"
        assert 'id="messages"' in response.text
        assert "<html" not in response.text
    else:
        assert "<html" in response.text


@pytest.mark.parametrize(
    ("status", "path", "method"),
    [(404, "/nowhere", "GET"), (405, "/logout", "GET"), (403, "/logout", "POST")],
)
async def test_error_pages_are_our_templates(
    client: httpx2.AsyncClient, status: int, path: str, method: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert re.search(r'<link rel="stylesheet" href="/static/app\.\w+\.css">', response.text)
    assert 'class="panel error-page"' in response.text


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 422, 429, 500, 503])
@pytest.mark.parametrize("htmx", [False, True])
async def test_every_error_status_has_our_page_and_fragment(
    client: httpx2.AsyncClient,
    user: Account,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    htmx: bool,
) -> None:
    async def failing(*args: object, **kwargs: object) -> None:
        raise HTTPException(status)

    monkeypatch.setattr(queries, "list_todos", failing)
    response = await client.get("/", headers=HTMX if htmx else {})
    assert response.status_code == status
    assert errors.MESSAGES[status] in response.text.replace("&#39;", "'")
    assert_security_headers(response)
    if htmx:
        # Shown in the page's message area, not swapped into whatever was targeted.
        assert response.headers["hx-reswap"] == "none"
        assert 'id="messages" class="messages" role="status"' in response.text
        assert 'class="toast error"' in response.text
        assert "<html" not in response.text
    else:
        assert 'class="panel error-page"' in response.text


async def test_a_client_that_disconnects_mid_request_is_not_a_server_error(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/login",
        "raw_path": b"/login",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
