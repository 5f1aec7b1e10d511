"""Static files: hashed names cached for a year, compressed on request, plain names too.

Nothing here needs a database, so it runs once, on SQLite.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import brotli
import pytest
from starlette.requests import Request

from webapp.config import PROJECT_ROOT
from webapp.static_files import HashedStaticFiles

if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

YEAR = "public, max-age=31536000, immutable"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z]+$")
SOURCES = {
    ("static", "app.css"): PROJECT_ROOT / "static" / "app.css",
    ("static", "app.js"): PROJECT_ROOT / "static" / "app.js",
    ("static", "favicon.svg"): PROJECT_ROOT / "static" / "favicon.svg",
    ("static", "shortcuts.js"): PROJECT_ROOT / "static" / "shortcuts.js",
    ("htmx", "htmx.min.js"): PROJECT_ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
    ("sortable", "Sortable.min.js"): PROJECT_ROOT
    / "node_modules"
    / "sortablejs"
    / "Sortable.min.js",
}
PREFIXES = {
    "static": "/static/",
    "htmx": "/static/vendor/htmx/",
    "sortable": "/static/vendor/sortablejs/",
}
DECOMPRESS = {"br": brotli.decompress, "gzip": gzip.decompress}


def static_url(app: Starlette, path: str, mount: str = "static") -> str:
    """What `{{ static_url(path, mount=mount) }}` gives in a template."""
    request = Request({"type": "http", "app": app, "method": "GET", "path": "/", "headers": []})
    template = app.state.templates.env.from_string("{{ static_url(path, mount=mount) }}")
    return str(template.render(request=request, path=path, mount=mount))


async def get_raw(
    client: httpx2.AsyncClient, url: str, accept_encoding: str
) -> tuple[httpx2.Response, bytes]:
    """The response and its body as sent, not decoded."""
    async with client.stream("GET", url, headers={"Accept-Encoding": accept_encoding}) as r:
        return r, b"".join([chunk async for chunk in r.aiter_raw()])


async def assert_served_for_a_year(client: httpx2.AsyncClient, url: str, source: bytes) -> None:
    assert HASHED.search(url), f"{url} has no content hash in its name"
    for encoding, decompress in DECOMPRESS.items():
        response, raw = await get_raw(client, url, f"{encoding}, identity;q=0.5")
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == YEAR, url
        assert response.headers["vary"] == "Accept-Encoding", url
        assert response.headers["content-encoding"] == encoding, url
        assert len(raw) < len(source), url
        assert int(response.headers["content-length"]) == len(raw), url
        assert decompress(raw) == source, url
    response, raw = await get_raw(client, url, "identity")
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["cache-control"] == YEAR
    assert raw == source


class AssetLinks(HTMLParser):
    """The stylesheet, icon and script URLs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"stylesheet": [], "icon": [], "script": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") in self.found:
            self.found[str(attributes["rel"])].append(str(attributes["href"]))
        elif tag == "script" and attributes.get("src"):
            self.found["script"].append(str(attributes["src"]))


async def test_pages_link_static_files_by_hashed_name_served_compressed_for_a_year(
    app: Starlette, client: httpx2.AsyncClient
) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    parser = AssetLinks()
    parser.feed(page.text)
    expected = {
        "stylesheet": [static_url(app, "app.css")],
        "icon": [static_url(app, "favicon.svg")],
        "script": [static_url(app, "htmx.min.js", mount="htmx"), static_url(app, "app.js")],
    }
    assert parser.found == expected
    for (mount, path), source in SOURCES.items():
        await assert_served_for_a_year(client, static_url(app, path, mount), source.read_bytes())


@pytest.mark.parametrize(("mount", "path"), list(SOURCES))
async def test_hashed_names_are_served_compressed_for_a_year(
    app: Starlette, client: httpx2.AsyncClient, mount: str, path: str
) -> None:
    url = static_url(app, path, mount)
    prefix = PREFIXES[mount]
    assert url.startswith(prefix)
    await assert_served_for_a_year(client, url, SOURCES[mount, path].read_bytes())


async def test_the_hash_follows_the_content(app: Starlette) -> None:
    urls = {static_url(app, path, mount) for mount, path in SOURCES}
    assert len(urls) == len(SOURCES)
    # The same content has the same name in every app (and every process).
    again = HashedStaticFiles(PROJECT_ROOT / "static")
    assert "/static/" + again.hashed_name("app.css") == static_url(app, "app.css")


@pytest.mark.parametrize(("mount", "path"), list(SOURCES))
async def test_plain_names_still_work_with_a_short_cache(
    client: httpx2.AsyncClient, mount: str, path: str
) -> None:
    prefix = PREFIXES[mount]
    response, raw = await get_raw(client, prefix + path, "br, gzip")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "max-age=60, public"
    assert response.headers["vary"] == "Accept-Encoding"
    assert (
        DECOMPRESS[response.headers["content-encoding"]](raw) == SOURCES[mount, path].read_bytes()
    )


async def test_the_favicon_is_an_svg(app: Starlette, client: httpx2.AsyncClient) -> None:
    response = await client.get(static_url(app, "favicon.svg"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg ")


@pytest.mark.parametrize(
    "path",
    [
        "/static/app.0123456789ab.css",  # a hash that is not (or no longer) the content's
        "/static/nothing.js",
        "/static/staticfiles.json",  # the build's manifest is not served
        "/static/vendor/htmx/htmx.js",  # only the file the pages load
        "/static/%2e%2e/pyproject.toml",
        "/static/",
    ],
)
async def test_unknown_static_paths_are_our_404_page(client: httpx2.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert 'class="panel error-page"' in response.text


async def test_not_modified_answers_without_a_body(
    app: Starlette, client: httpx2.AsyncClient
) -> None:
    url = static_url(app, "app.css")
    etag = (await client.get(url)).headers["etag"]
    response = await client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


async def test_a_file_the_build_does_not_have_is_an_error_in_templates(app: Starlette) -> None:
    with pytest.raises(LookupError, match=r"no static file 'app\.cs'"):
        static_url(app, "app.cs")
