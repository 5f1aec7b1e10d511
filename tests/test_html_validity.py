"""Every page and every htmx fragment the app sends is valid HTML (the Nu Html Checker).

The checker is npm's `vnu-jar` (a devDependency), run on Java 17+. Fragments are
checked inside a minimal document: top-level `<li>` rows inside a `<ul>`, as on the
page. Java starts slowly, so the checker runs once, over every document at once.
The documents stay in the test's temporary folder; errors name file and line.

Nothing here depends on the database, so it runs once, on SQLite.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import shutil
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pytest

from webapp.config import PROJECT_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    import httpx2

    from webapp.config import Settings

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
PASSWORD = "correct horse battery"
PAGE_SIZE = 2
# The line before a fragment in its document: fragment line N is file line N + 1.
FRAGMENT_HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>{title}</title></head><body>\n"
)
FRAGMENT_TAIL = "\n</body></html>\n"
# Elements that can't stand in <body> on their own, and what holds them on the page.
CONTAINER = {"li": "ul", "tr": "table", "option": "select", "dt": "dl", "dd": "dl"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A short page, so that a few todos give a "Show more" link and its fragment.
    return dataclasses.replace(settings, page_size=PAGE_SIZE)


class TopLevelElements(HTMLParser):
    """The (tag, start, end) offsets of a fragment's top-level elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.depth = 0
        self.start = 0
        self.elements: list[tuple[str, int, int]] = []
        self.feed(text)
        self.close()
        assert self.depth == 0, "the fragment's elements don't all close"

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.handle_startendtag(tag, attrs)
            return
        if self.depth == 0:
            self.start = self._offset()
        self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            start = self._offset()
            self.elements.append((tag, start, start + len(self.get_starttag_text() or "")))

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1
        if self.depth == 0:
            end = self.text.index(">", self._offset()) + 1
            self.elements.append((tag, self.start, end))


def as_document(fragment: str, title: str) -> str:
    """The fragment in a minimal document, each run of top-level rows in its list.

    The container tags go on the fragment's own lines, so its line numbers hold.
    """
    elements = TopLevelElements(fragment).elements
    containers = [CONTAINER.get(tag) for tag, _, _ in elements]
    out: list[str] = []
    position = 0
    for i, (_, start, end) in enumerate(elements):
        container = containers[i]
        out.append(fragment[position:start])
        if container and (i == 0 or containers[i - 1] != container):
            out.append(f"<{container}>")
        out.append(fragment[start:end])
        if container and (i + 1 == len(elements) or containers[i + 1] != container):
            out.append(f"</{container}>")
        position = end
    out.append(fragment[position:])
    return FRAGMENT_HEAD.format(title=title) + "".join(out) + FRAGMENT_TAIL


def test_fragments_are_wrapped_in_their_containers() -> None:
    fragment = '<li id="a">x</li>\n<li>y<ul><li>z</li></ul></li>\n<form id="f"><input></form>'
    body = as_document(fragment, "t").split("\n", 1)[1]
    assert body.startswith(
        '<ul><li id="a">x</li>\n<li>y<ul><li>z</li></ul></li></ul>\n<form id="f"><input></form>'
    )


class Collector:
    """Fetches pages and fragments and keeps each response as a document to check."""

    def __init__(self, client: httpx2.AsyncClient, folder: Path) -> None:
        self.client = client
        self.folder = folder
        self.files: dict[str, str] = {}  # file name -> what was asked

    async def token(self, path: str = "/") -> str:
        match = CSRF_META.search((await self.client.get(path)).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def post(
        self, path: str, data: dict[str, str], *, htmx: bool = False, token_from: str = "/"
    ) -> httpx2.Response:
        form = {"csrf_token": await self.token(token_from), **data}
        return await self.client.post(path, data=form, headers=HTMX if htmx else {})

    def keep(self, name: str, what: str, response: httpx2.Response, status: int) -> None:
        assert response.status_code == status, (what, response.status_code, response.text)
        assert name not in self.files
        if name.startswith("fragment-"):
            assert "<html" not in response.text, f"{what}: a page, not a fragment"
            text = as_document(response.text, what)
        else:
            assert response.text.lstrip().lower().startswith("<!doctype html>"), what
            text = response.text
        (self.folder / f"{name}.html").write_text(text, encoding="utf-8")
        self.files[f"{name}.html"] = what

    async def page(self, name: str, path: str, status: int = 200) -> None:
        self.keep(f"page-{name}", f"GET {path}", await self.client.get(path), status)

    async def page_after_post(
        self, name: str, path: str, data: dict[str, str], status: int, token_from: str = "/"
    ) -> None:
        response = await self.post(path, data, token_from=token_from)
        self.keep(f"page-{name}", f"POST {path} {sorted(data)}", response, status)

    async def fragment(
        self,
        name: str,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        status: int = 200,
    ) -> None:
        if method == "GET":
            response = await self.client.get(path, headers=HTMX)
        else:
            response = await self.post(path, data or {}, htmx=True)
        self.keep(
            f"fragment-{name}", f"htmx {method} {path} {sorted(data or {})}", response, status
        )


async def collect(client: httpx2.AsyncClient, folder: Path) -> dict[str, str]:
    c = Collector(client, folder)
    email = "ada@example.com"

    # Before logging in.
    await c.page("login", "/login")
    await c.page("signup", "/signup")
    await c.page_after_post(
        "signup-422", "/signup", {"email": "not an email", "password": "short"}, 422, "/signup"
    )
    await c.page_after_post(
        "login-422", "/login", {"email": email, "password": "wrong password"}, 422, "/login"
    )
    response = await c.post("/signup", {"email": email, "password": PASSWORD}, token_from="/signup")
    assert response.status_code == 303, response.text
    await c.page("list-empty", "/")

    # A few todos: one with a description, one done, more than a page of them.
    todos = [("Buy milk", "Two litres, semi-skimmed"), ("Write the report", ""), ("Call Sam", "")]
    todos += [("Water the plants", ""), ("Book the dentist", "")]
    for title, description in todos:
        response = await c.post("/todos", {"title": title, "description": description})
        assert response.status_code == 303, response.text
    response = await c.post("/todos/3/toggle", {})
    assert response.status_code == 303, response.text

    await c.page("list", "/")
    await c.page("list-active", "/active")
    await c.page("list-completed", "/completed")
    await c.page("list-newest", "/?order=newest")
    await c.page("list-next-page", f"/?after={PAGE_SIZE}")
    await c.page("404", "/nowhere", 404)
    await c.page("edit", "/todos/1/edit")
    await c.page_after_post("edit-422", "/todos/1", {"title": "", "description": "d"}, 422)
    await c.page("account", "/account")
    await c.page_after_post(
        "account-password-422",
        "/account/password",
        {"current_password": "", "new_password": ""},
        422,
        "/account",
    )
    await c.page_after_post("account-delete-422", "/account/delete", {"password": ""}, 422)

    # Organising: a list, due dates, labels; Today, Upcoming, a label, a search, orders.
    response = await c.post("/lists", {"name": "Work & play"})
    assert response.status_code == 303, response.text
    work = response.headers["location"]
    await c.page("a-list", work)
    await c.page_after_post("add-list-422", "/lists", {"name": " "}, 422)
    await c.page_after_post("rename-list-422", f"{work}/rename", {"name": ""}, 422, work)
    edit = {"title": "Buy milk", "description": "", "labels": "errands, home"}
    response = await c.post("/todos/1", edit | {"due_on": date.today().isoformat()})
    assert response.status_code == 303, response.text
    response = await c.post("/todos/2", edit | {"title": "Report", "due_on": "2099-01-01"})
    assert response.status_code == 303, response.text
    await c.page("edit-organised", "/todos/1/edit")
    await c.page_after_post("edit-due-422", "/todos/1", edit | {"due_on": "someday"}, 422)
    await c.page("today", "/today")
    await c.page("upcoming", "/upcoming")
    await c.page("label", "/labels/errands")
    await c.page("search", "/search?q=milk")
    await c.page("search-empty", "/search")
    await c.page("list-due-order", "/?order=due")
    await c.page("list-own-order", "/?order=manual")
    await c.page_after_post(
        "account-time-zone-422", "/account/time-zone", {"time_zone": "x"}, 422, "/account"
    )

    # The htmx fragments.
    await c.fragment("show-more", "GET", f"/?after={PAGE_SIZE}")
    await c.fragment("show-more-newest", "GET", "/?after=5&order=newest")
    await c.fragment("toggle", "POST", "/todos/2/toggle")
    await c.fragment("toggle-leaves-filter", "POST", "/todos/2/toggle?filter=completed")
    await c.fragment("add", "POST", "/todos", {"title": "Fix the bike", "description": "Chain"})
    await c.fragment("add-newest", "POST", "/todos?order=newest", {"title": "Bake bread"})
    await c.fragment("add-422", "POST", "/todos", {"title": "", "description": "d"}, 422)
    await c.fragment("inline-edit", "POST", "/todos/1", {"title": "Buy oat milk"})
    await c.fragment("inline-edit-422", "POST", "/todos/1", {"title": ""}, 422)
    await c.fragment("delete", "POST", "/todos/4/delete")
    await c.fragment("not-found", "POST", "/todos/999/toggle", status=404)
    await c.fragment("clear-completed", "POST", "/todos/clear-completed")
    await c.fragment("toggle-all-done", "POST", "/todos/toggle-all", {"done": "true"})
    await c.fragment("toggle-all-undone", "POST", "/todos/toggle-all?filter=active")
    await c.fragment("toggle-on-today", "POST", "/todos/1/toggle?view=today")
    await c.fragment("move-down", "POST", "/todos/1/move?order=manual", {"step": "down"})

    # Last: the account goes.
    await c.page_after_post("account-deleted", "/account/delete", {"password": PASSWORD}, 200)
    return c.files


async def run_vnu(paths: list[Path]) -> list[dict[str, Any]]:
    """The checker's messages for these files: one Java process for all of them."""
    process = await asyncio.create_subprocess_exec(
        "java",
        "-jar",
        str(VNU_JAR),
        "--errors-only",
        "--no-langdetect",
        "--also-check-svg",
        "--format",
        "json",
        "--stdout",
        *map(str, paths),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=600)
    assert process.returncode in {0, 1}, stderr.decode()
    messages: list[dict[str, Any]] = json.loads(stdout)["messages"]
    return messages


def report(messages: list[dict[str, Any]], files: dict[str, str], folder: Path) -> str:
    by_message: dict[str, list[str]] = defaultdict(list)
    lines = [f"{len(messages)} errors in {folder}:"]
    for m in messages:
        name = str(m.get("url", "?")).rsplit("/", 1)[-1]
        where = f"{name}:{m.get('lastLine', '?')}"
        lines.append(f"{where} ({files.get(name, name)}): {m['message']}")
        if m.get("extract"):
            lines.append("    " + " ".join(str(m["extract"]).split()))
        by_message[m["message"]].append(where)
    lines.append("")
    lines.append("Grouped by message:")
    for message, places in sorted(by_message.items(), key=lambda item: -len(item[1])):
        lines.append(f"{len(places):4} x {message}")
    return "\n".join(lines)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_page_and_fragment_is_valid_html(
    client: httpx2.AsyncClient, tmp_path: Path
) -> None:
    if shutil.which("java") is None or not VNU_JAR.is_file():
        message = f"the Nu Html Checker needs java on PATH and {VNU_JAR} (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    files = await collect(client, tmp_path)
    shutil.copyfile(PROJECT_ROOT / "static" / "favicon.svg", tmp_path / "favicon.svg")
    files["favicon.svg"] = "static/favicon.svg"
    assert len(files) >= 30
    messages = await run_vnu([tmp_path / name for name in sorted(files)])
    # A file the checker could not read or parse is a "non-document-error": a failure too.
    assert not messages, report(messages, files, tmp_path)
