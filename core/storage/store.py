"""The storage interface: put bytes, get them back by key, delete them.

A key looks like ``t12/notices/3f9c…`` (32 hex digits): the district, a namespace naming
what the file is for, and a random part, so keys are never guessed and never collide. Keys
are made here, never taken from a person: :func:`get` and :func:`delete` answer
:class:`~core.errors.NotFound` for a key of another district, or one that is not of that
shape, before a backend is asked anything.

Which backend serves the functions is chosen by ``GONGZHI_STORAGE`` (:func:`store_for`); a
caller holding the app's settings passes ``store=store_for(settings)``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Protocol

from core.config import Settings
from core.errors import NotFound
from core.tenancy import TenantScope

NAMESPACE_MAX_LENGTH = 40
FILENAME_MAX_LENGTH = 200
CONTENT_TYPE_MAX_LENGTH = 100

_NAMESPACE = re.compile(r"[a-z0-9_]+")
# t{tenant}/{namespace}/{32 hex}: nothing else is a key, so no dot, backslash or
# empty segment can reach a backend.
_KEY = re.compile(r"t([1-9][0-9]*)/([a-z0-9_]{1,%d})/([0-9a-f]{32})" % NAMESPACE_MAX_LENGTH)
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(; ?[ -~]*)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class StoredFile:
    """A file as stored: its key, the bytes and what was said about them when stored."""

    key: str
    content_type: str
    size: int
    data: bytes
    filename: str


class Store(Protocol):
    """A backend. It is handed only keys checked by this module, of the scope's district;
    ``read`` answers None for a key it does not hold."""

    async def write(self, scope: TenantScope, file: StoredFile) -> None: ...

    async def read(self, scope: TenantScope, key: str) -> StoredFile | None: ...

    async def remove(self, scope: TenantScope, key: str) -> None: ...


def store_for(settings: Settings) -> Store:
    """The backend ``settings.storage`` names."""
    if settings.storage == "database":
        from core.storage.database import DatabaseStore

        return DatabaseStore()
    if settings.storage == "filesystem":
        from core.storage.filesystem import FilesystemStore

        return FilesystemStore(settings.var_dir / "storage")
    raise ValueError(f"unknown storage backend {settings.storage!r}")


def _default_store() -> Store:
    return store_for(Settings.from_env())


def new_key(scope: TenantScope, namespace: str) -> str:
    """A fresh key of ``scope``'s district in ``namespace`` (e.g. ``"notices"``)."""
    if not (isinstance(namespace, str) and _NAMESPACE.fullmatch(namespace)
            and len(namespace) <= NAMESPACE_MAX_LENGTH):
        raise ValueError(f"a storage namespace is 1 to {NAMESPACE_MAX_LENGTH} of a-z, 0-9 and _: {namespace!r}")
    return f"t{scope.tenant_id}/{namespace}/{secrets.token_hex(16)}"


def check_key(scope: TenantScope, key: str) -> str:
    """``key`` if it is a well-formed key of ``scope``'s district; otherwise NotFound."""
    if not isinstance(key, str) or not key.startswith(f"t{scope.tenant_id}/"):
        raise NotFound()
    match = _KEY.fullmatch(key)
    if match is None or int(match.group(1)) != scope.tenant_id:
        raise NotFound()
    return key


def clean_filename(filename: str) -> str:
    """The name to keep: the last part of a path, without control characters, at most
    FILENAME_MAX_LENGTH characters (the extension kept). Only ever shown, never a path."""
    name = _CONTROL.sub("", filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = stem[: FILENAME_MAX_LENGTH - len(suffix) - 1] + "." + suffix
        else:
            name = name[:FILENAME_MAX_LENGTH]
    return name or "file"


async def put(scope: TenantScope, namespace: str, data: bytes, *, content_type: str, filename: str,
              store: Store | None = None) -> str:
    """Store ``data`` for ``scope``'s district; returns its new key.

    ``content_type`` should come from the bytes (``core.storage.sniff``), not from the
    person; ``filename`` is kept for showing and downloading only.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("put stores bytes")
    if not (isinstance(content_type, str) and len(content_type) <= CONTENT_TYPE_MAX_LENGTH
            and _CONTENT_TYPE.fullmatch(content_type)):
        raise ValueError(f"not a content type: {content_type!r}")
    data = bytes(data)
    key = new_key(scope, namespace)
    file = StoredFile(key=key, content_type=content_type, size=len(data), data=data,
                      filename=clean_filename(filename))
    await (store or _default_store()).write(scope, file)
    return key


async def get(scope: TenantScope, key: str, *, store: Store | None = None) -> StoredFile:
    """The file stored under ``key``; NotFound when there is none in ``scope``'s district."""
    check_key(scope, key)
    file = await (store or _default_store()).read(scope, key)
    if file is None:
        raise NotFound()
    return file


async def delete(scope: TenantScope, key: str, *, store: Store | None = None) -> None:
    """Delete the file under ``key``. Deleting it again is harmless (a retried request);
    a key of another district, or no key at all, is NotFound."""
    check_key(scope, key)
    await (store or _default_store()).remove(scope, key)
