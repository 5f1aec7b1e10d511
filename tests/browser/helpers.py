"""What the browser tests share: pages made signed in, signing up and logging in through
the forms, finding rows, adding todos, watching requests, axe-core and screenshots."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Locator, Page, expect

from tests.helpers import PASSWORD, csrf_token_in
from tests.server import PROJECT_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterable

    from playwright.sync_api import (
        APIRequestContext,
        Browser,
        BrowserContext,
        Request,
        StorageState,
        ViewportSize,
    )

EDITING = re.compile(r"\bediting\b")
COMPLETED = re.compile(r"\bcompleted\b")
AXE_SOURCE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
# The screens the screenshots are taken on.
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
# What Chromium logs by itself for a request that failed or answered an error status.
FAILED_RESOURCE = r"Failed to load resource"


# -- accounts and pages --


def sign_up(page: Page, base_url: str) -> str:
    """Sign a new, unique user up through the form; ends on the list at `/`."""
    email = f"user-{uuid.uuid4().hex}@example.com"
    page.goto(f"{base_url}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base_url}/")
    return email


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def watch_errors(page: Page) -> list[str]:
    """Console errors and uncaught page errors, collected as they happen (nothing ignored)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def empty_the_list(request: APIRequestContext, base_url: str) -> None:
    """Delete every todo of the signed-in user, with the plain forms (tick all, clear)."""
    token = csrf_token_in(request.get(f"{base_url}/").text())
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


# -- rows and todos --


def assert_forms_carry_the_filter(page: Page, filter_: str) -> None:
    """Fails at once (rather than after a wait) when the page's forms lack its filter."""
    actions = [
        form.get_attribute("action") or "" for form in page.locator("form[data-hx-boost]").all()
    ]
    assert actions, "no htmx forms on the page"
    missing = [action for action in actions if f"filter={filter_}" not in action]
    assert not missing, f"forms without filter={filter_}: {missing}"


def rows(page: Page) -> Locator:
    return page.locator("ul.todo-list > li")


def titles(page: Page) -> Locator:
    return rows(page).locator("label.title")


def row(page: Page, title: str) -> Locator:
    """The row whose title is exactly `title`."""
    exact = re.compile(f"^{re.escape(title)}$")
    return rows(page).filter(has=page.locator("label.title", has_text=exact))


def counter(page: Page) -> Locator:
    return page.locator("span.todo-count")


def add(page: Page, title: str, *, at_end: bool = True) -> None:
    """Add through the new-todo field with Enter; waits for the row to appear."""
    count = rows(page).count()
    page.locator("input.new-todo").fill(title)
    page.locator("input.new-todo").press("Enter")
    expect(rows(page)).to_have_count(count + 1)
    new_row = rows(page).last if at_end else rows(page).first
    expect(new_row.locator("label.title")).to_have_text(title.strip())


def csrf_token(page: Page) -> str:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    return token


def post_form(page: Page, path: str, **fields: str) -> None:
    """Post a plain form (as a browser without JavaScript would) with the page's cookies.

    Quicker than typing when a test needs many todos; the answer is the 303 back to the
    list, not followed.
    """
    response = page.request.post(
        path, form={**fields, "csrf_token": csrf_token(page)}, max_redirects=0
    )
    assert response.status == 303, response.text()


def add_many(page: Page, titles: Iterable[str]) -> None:
    base = page.url.split("/", 3)
    origin = "/".join(base[:3])
    for title in titles:
        post_form(page, f"{origin}/todos", title=title)


def mark_page(page: Page) -> None:
    """Remember this document: `assert_same_page` fails after a navigation."""
    page.evaluate("window.__marker = 1")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page navigated"


def settle(page: Page) -> None:
    """Let the page finish what it started on the last input (two animation frames)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


class RequestLog:
    """Every request the page sends whose method and URL path match, in order."""

    def __init__(self, page: Page, method: str = "POST", path: str = r".*") -> None:
        self.method = method
        self.path = re.compile(path)
        self.seen: list[str] = []
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        path = "/" + request.url.split("/", 3)[3]
        if request.method == self.method and self.path.fullmatch(path.split("?")[0]):
            self.seen.append(path)

    def __len__(self) -> int:
        return len(self.seen)


def tab_to(page: Page, target: Locator, *, limit: int = 40, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; fails if it never does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press(key)
    expect(target).to_be_focused(timeout=1)


def focused_description(page: Page) -> str:
    """The focused element, described for an assertion message."""
    description: str = page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "nothing (body)";
            const row = el.closest("li[id]");
            return `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
                + (row ? ` in #${row.id}` : "");
        }"""
    )
    return description


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations for the page as it is now (every rule axe runs by default).

    The page's Content-Security-Policy stays on: the script is evaluated through the
    DevTools protocol, which the policy doesn't govern, instead of a <script> element.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => `${n.target.join(" ")}: ${n.failureSummary}`),
            }));
        }"""
    )
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_no_violations(page: Page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"axe-core on {where}:\n{format_violations(violations)}"


def shoot(page: Page, name: str) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: {scroll_width}px wide in a {width}px viewport"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret would inject a <style>, which the CSP refuses.
    page.screenshot(path=path, full_page=True, caret="initial")
    assert path.stat().st_size > 0
