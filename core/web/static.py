"""The files of pwa/static, each also under a name that carries its content's hash.

``static_url("css/app.css")`` is ``/static/css/app.1a2b3c4d.css`` (the first 8 hex digits of
the file's SHA-256): that name changes whenever the content does, so it is served with
``Cache-Control: public, max-age=31536000, immutable`` and a browser (or the district's
service worker) never asks for it again. A hashed name whose hash is not the file's answers
404: an old page asking for an old version gets nothing rather than the wrong file. The plain
names keep working, with a short cache, for anything that cannot know the hash.

The table is made once per process, at the first use, from the files on disk.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from functools import cache

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from core.templating import STATIC_DIR

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{8})(?P<suffix>\.[A-Za-z0-9]+)$")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".png": "image/png"}


@dataclass(frozen=True)
class Asset:
    """One static file: its path under /static/, the first 8 hex digits of its SHA-256, and its bytes."""

    path: str
    digest: str
    media_type: str
    data: bytes = field(repr=False)

    @property
    def hashed_path(self) -> str:
        stem, dot, suffix = self.path.rpartition(".")
        if not dot or "/" in suffix:
            return f"{self.path}.{self.digest}"
        return f"{stem}.{self.digest}.{suffix}"


def _media_type(name: str) -> str:
    suffix = "." + name.rpartition(".")[2]
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@cache
def assets() -> dict[str, Asset]:
    """Every file of pwa/static by its path (``css/app.css``); hidden files left out."""
    found = {}
    for file in sorted(STATIC_DIR.rglob("*")):
        relative = file.relative_to(STATIC_DIR).as_posix()
        if not file.is_file() or any(part.startswith(".") for part in relative.split("/")):
            continue
        data = file.read_bytes()
        found[relative] = Asset(relative, hashlib.sha256(data).hexdigest()[:8], _media_type(relative), data)
    return found


def static_url(path: str) -> str:
    """The hashed URL of a file of pwa/static (``"css/app.css"``); a file that is not there is a
    mistake in a template, so it raises rather than linking nothing."""
    asset = assets().get(path.lstrip("/"))
    if asset is None:
        raise LookupError(f"no static file {path!r} in {STATIC_DIR}")
    return f"/static/{asset.hashed_path}"


@cache
def version() -> str:
    """A short digest of every static file's hash: it changes whenever any of them does (the
    district's service worker names its caches with it)."""
    joined = "\n".join(f"{asset.path} {asset.digest}" for asset in assets().values())
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def lookup(file_path: str) -> tuple[Asset, bool] | None:
    """The asset a path under /static/ names, and whether it was named by its hash."""
    path = file_path.lstrip("/")
    table = assets()
    if path in table:
        return table[path], False
    match = _HASHED.match(path)
    if match:
        asset = table.get(match["stem"] + match["suffix"])
        if asset is not None and asset.digest == match["digest"]:
            return asset, True
    return None


@get("/static/{file_path:path}", name="static", opt={"auth": "none"}, include_in_schema=False,
     sync_to_thread=False)
def static_file(request: Request, file_path: FromPath[str]) -> Response:
    found = lookup(file_path)
    if found is None:
        raise NotFoundException()
    asset, hashed = found
    etag = f'"{asset.digest}"'
    headers = {"Cache-Control": IMMUTABLE if hashed else SHORT, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.data, media_type=asset.media_type, headers=headers)
