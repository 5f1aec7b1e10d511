"""Fixtures for the browser tests: the real server and the Debian Chromium via Playwright.

Everything here is synchronous on purpose: Playwright's sync API refuses to run inside a
running asyncio loop, and pytest-asyncio (asyncio_mode=auto) only runs `async def` tests
and fixtures in one, so plain `def` tests and fixtures are safe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.helpers import PageMaker, sign_up
from tests.server import Server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import StorageState

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]


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


@pytest.fixture(scope="package")
def account(browser: Browser, base_url: str) -> StorageState:
    """One user, signed up through the form once; its cookies for every test's context.

    Signing up costs a password hash and two page loads: doing it once, and emptying the
    list before each test instead, keeps the suite fast while each test still starts
    from an empty list in a fresh browser context.
    """
    context = browser.new_context()
    try:
        sign_up(context.new_page(), base_url)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def new_page(browser: Browser, base_url: str, account: StorageState) -> Iterator[PageMaker]:
    maker = PageMaker(browser, base_url, account)
    yield maker
    try:
        problems = maker.problems()
        assert not problems, "errors in the browser:\n" + "\n".join(problems)
    finally:
        maker.close()


@pytest.fixture
def page(new_page: PageMaker) -> Page:
    """A page in a fresh context, signed in, on an empty list."""
    return new_page()
