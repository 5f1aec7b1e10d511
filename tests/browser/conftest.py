"""Fixtures for the browser tests: the real server and the Debian Chromium via Playwright.

Everything here is synchronous on purpose: Playwright's sync API refuses to run inside a
running asyncio loop, and pytest-asyncio (asyncio_mode=auto) only runs `async def` tests
and fixtures in one, so plain `def` tests and fixtures are safe.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.test_smoke import PROJECT_ROOT, Server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
PASSWORD = "correct horse battery"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


class BrowserServer(Server):
    """The smoke test's server, on a database file of its own."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.database = tmp_path / "browser.sqlite3"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    server = BrowserServer(tmp_path_factory.mktemp("browser-server"))
    try:
        server.start()
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url(server: BrowserServer) -> str:
    return server.base_url


# Package scope, not session: while sync_playwright() is open it leaves its event loop set
# as the thread's running loop, so any later `async def` test (or `asyncio.run()`, e.g. in
# alembic/env.py) in the same pytest run would fail with "cannot be called from a running
# event loop". Closing it when tests/browser is done keeps the rest of the suite working.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        message = f"Chromium not found at {executable} (set CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def watch_errors(page: Page) -> list[str]:
    """Console errors and uncaught page errors, collected as they happen (nothing ignored)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def sign_up(page: Page, base_url: str) -> str:
    """Sign a new, unique user up through the form; ends on the list at `/`."""
    email = f"user-{uuid.uuid4().hex}@example.com"
    page.goto(f"{base_url}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base_url}/")
    return email


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """Makes signed-up pages, each in a fresh context (own cookies); checks for JS errors."""
    opened: list[tuple[Page, list[str]]] = []
    contexts = []

    def make(**context_options: object) -> Page:
        context = browser.new_context(**context_options)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        errors = watch_errors(page)
        sign_up(page, base_url)
        opened.append((page, errors))
        return page

    yield make
    try:
        problems = [error for _, errors in opened for error in errors]
        assert not problems, "errors in the browser:\n" + "\n".join(problems)
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh context with a freshly signed-up user, on the list."""
    return new_page()
