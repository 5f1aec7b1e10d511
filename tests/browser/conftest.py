"""Fixtures for the browser tests: the real server and the Debian Chromium via Playwright.

Everything here is synchronous on purpose: Playwright's sync API refuses to run inside a
running asyncio loop, and pytest-asyncio (asyncio_mode=auto) only runs `async def` tests
and fixtures in one, so plain `def` tests and fixtures are safe.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.test_smoke import PROJECT_ROOT, Server, csrf_token

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import APIRequestContext, StorageState

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


def empty_the_list(request: APIRequestContext, base_url: str) -> None:
    """Delete every todo of the signed-in user, with the plain forms (tick all, clear)."""
    token = csrf_token(request.get(f"{base_url}/").text())
    for path, form in (("toggle-all", {"done": "true"}), ("clear-completed", {})):
        response = request.post(
            f"{base_url}/todos/{path}", form={**form, "csrf_token": token}, max_redirects=0
        )
        assert response.status == 303, response.text()


class PageMaker:
    """Makes pages, each in a fresh context (own cookies), watching for errors.

    Signed in as the package's one user, on an emptied list at `/`, unless
    `signed_up=False` (then on a blank page). One signed-in page per test: a second would
    empty the first one's list.

    Any console error or uncaught exception fails the test when it ends, unless the test
    said it expects it (`allow_errors`), e.g. Chromium's own log line for a request the
    test made fail on purpose.
    """

    def __init__(self, browser: Browser, base_url: str, account: StorageState) -> None:
        self.browser = browser
        self.base_url = base_url
        self.account = account
        self.opened: list[tuple[Page, list[str]]] = []
        self.contexts: list[BrowserContext] = []
        self.allowed: list[re.Pattern[str]] = []

    def __call__(self, *, signed_up: bool = True, **context_options: Any) -> Page:
        if signed_up:
            context_options["storage_state"] = self.account
        context = self.browser.new_context(**context_options)
        self.contexts.append(context)
        page = context.new_page()
        self.opened.append((page, watch_errors(page)))
        if signed_up:
            empty_the_list(context.request, self.base_url)
            page.goto(f"{self.base_url}/")
        return page

    def allow_errors(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def problems(self) -> list[str]:
        return [
            error
            for _, errors in self.opened
            for error in errors
            if not any(allowed.search(error) for allowed in self.allowed)
        ]

    def close(self) -> None:
        for context in self.contexts:
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
