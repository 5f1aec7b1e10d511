"""Static files under content-hashed names, precompressed, cached for a year.

ServeStatic (the ASGI-capable fork of WhiteNoise) does the work. Its build copies the
files, adds a hash of each one's content to its name (`app.css` -> `app.1a2b3c4d5e6f.css`)
and writes gzip and brotli copies; its ASGI app serves them, picking the encoding from
`Accept-Encoding` and sending `Vary: Accept-Encoding`.

The build runs when the app is created, into a private temporary folder, and once per
process for the same file contents (the tests create many apps). Templates link the
hashed names (`static_url` in templating.py), which are cached for a year: a changed
file has a new name. The plain names stay served, with a short cache, for anything
that links them directly; a hash that is no longer current is a 404, since the content
it named is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from servestatic import ServeStaticASGI
from servestatic.cli import main as servestatic_build
from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from wsgiref.headers import Headers

    from starlette.types import ASGIApp, Receive, Scope, Send

HASHED_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Plain names may change in place: browsers and proxies recheck them after a minute.
PLAIN_MAX_AGE = 60

_builds: dict[str, tuple[Path, dict[str, str]]] = {}
_build_lock = threading.Lock()
_build_folder: tempfile.TemporaryDirectory[str] | None = None


class HashedStaticFiles:
    """Serves `files` of `source` (every file in it when None) from a hashed build.

    Mount it like Starlette's StaticFiles: it answers the path below its mount.
    """

    def __init__(self, source: Path, files: Sequence[str] | None = None) -> None:
        built, self.manifest = _build(source, files)
        hashed = {"/" + name for plain, name in self.manifest.items() if name != plain}

        def is_hashed(path: str, url: str) -> bool:
            return url in hashed

        def cache_headers(headers: Headers, path: str, url: str) -> None:
            if url in hashed:
                headers["Cache-Control"] = HASHED_CACHE_CONTROL

        self._serve: ASGIApp = ServeStaticASGI(
            _not_found,
            root=built,
            prefix="/",
            max_age=PLAIN_MAX_AGE,
            immutable_file_test=is_hashed,
            add_headers_function=cache_headers,
        )

    def hashed_name(self, path: str) -> str:
        """The name `path` (relative to the source folder) is served under, with its hash."""
        try:
            return self.manifest[path]
        except KeyError:
            raise LookupError(f"no static file {path!r}") from None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # ServeStatic looks the whole path up; give it the part below the mount.
        root_path: str = scope.get("root_path", "")
        path: str = scope["path"]
        if root_path and path.startswith(root_path):
            scope = {**scope, "path": path[len(root_path) :]}
        await self._serve(scope, receive, send)


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    # Our error page, as for any other missing path.
    raise HTTPException(404)


def _build(source: Path, files: Sequence[str] | None) -> tuple[Path, Mapping[str, str]]:
    """A folder with the hashed, original and compressed files, and the manifest.

    The manifest maps each file's path to its hashed path, both relative to the folder.
    """
    names = sorted(files if files is not None else _every_file(source))
    contents = {name: (source / name).read_bytes() for name in names}
    digest = hashlib.sha256()
    for name, content in contents.items():
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    key = digest.hexdigest()
    with _build_lock:
        if key not in _builds:
            _builds[key] = _run_build(source, contents)
        return _builds[key]


def _every_file(source: Path) -> list[str]:
    return [path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file()]


def _run_build(origin: Path, contents: Mapping[str, bytes]) -> tuple[Path, dict[str, str]]:
    global _build_folder
    if _build_folder is None:
        # Private (mode 0700) and removed when the process exits.
        _build_folder = tempfile.TemporaryDirectory(prefix="webapp-static-")
    folder = Path(tempfile.mkdtemp(dir=_build_folder.name))
    source, built = folder / "source", folder / "built"
    for name, content in contents.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
        # The modification time makes the ETag: the same in every process.
        mtime = (origin / name).stat().st_mtime
        os.utime(source / name, (mtime, mtime))
    # Hash, keep the originals, write the manifest, compress (gzip, brotli).
    status = servestatic_build(["--all", "--copy-original", "--quiet", str(source), str(built)])
    if status != 0:
        raise RuntimeError(f"building the static files failed ({status})")
    shutil.rmtree(source)
    manifest_file = built / "staticfiles.json"
    manifest: dict[str, str] = json.loads(manifest_file.read_text())["paths"]
    manifest_file.unlink()  # not a file to serve
    return built, manifest
