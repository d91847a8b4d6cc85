"""Files the platform itself keeps, owned by no district: the marketplace's wheels.

The district store (``core.storage.store``) keys every file to a district, and its database
backend keeps files under Row Level Security; a platform file has no district, so it is kept
beside them with the same guarantees. A key looks like ``platform/wheels/3f9c…`` (32 hex
digits); keys are made here, never taken from a person, and anything not of that shape is
NotFound before a backend is asked. The backend follows ``GONGZHI_STORAGE``: the filesystem
keeps ``platform/<namespace>/3f/3f9c…`` under ``var/storage/`` (written atomically as district
files are), the database the ``core_platform_file`` table.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path

from piccolo.columns import Bytea, Integer, Timestamptz, Varchar
from piccolo.table import Table

from core import clock
from core.config import Settings
from core.errors import NotFound
from core.storage.filesystem import _fsync_dir, _write_atomically
from core.storage.store import NAMESPACE_MAX_LENGTH

_NAMESPACE = re.compile(r"[a-z0-9_]{1,%d}" % NAMESPACE_MAX_LENGTH)
_KEY = re.compile(r"platform/([a-z0-9_]{1,%d})/([0-9a-f]{32})" % NAMESPACE_MAX_LENGTH)


class PlatformFile(Table, tablename="core_platform_file"):
    """One file of the platform's (``GONGZHI_STORAGE=database``)."""

    key = Varchar(length=100, unique=True, help_text="platform/{namespace}/{32 hex} (core.storage.platform)")
    size = Integer(help_text="Bytes")
    data = Bytea()
    created_at = Timestamptz()


def new_key(namespace: str) -> str:
    if not (isinstance(namespace, str) and _NAMESPACE.fullmatch(namespace)):
        raise ValueError(f"a storage namespace is 1 to {NAMESPACE_MAX_LENGTH} of a-z, 0-9 and _: {namespace!r}")
    return f"platform/{namespace}/{secrets.token_hex(16)}"


def check_key(key: str) -> str:
    """``key`` if it is a well-formed platform key; otherwise NotFound."""
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        raise NotFound()
    return key


def _path(settings: Settings, key: str) -> Path:
    _, namespace, name = check_key(key).split("/")
    root = (settings.var_dir / "storage" / "platform").resolve()
    path = (root / namespace / name[:2] / name).resolve()
    if not path.is_relative_to(root):
        raise NotFound()
    return path


async def put(settings: Settings, namespace: str, data: bytes) -> str:
    """Keep ``data``; returns its new key."""
    data, key = bytes(data), new_key(namespace)
    if settings.storage == "database":
        await PlatformFile(key=key, size=len(data), data=data, created_at=clock.now()).save()
    else:
        path = _path(settings, key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, data)
            _fsync_dir(path.parent)

        await asyncio.to_thread(write)
    return key


async def get(settings: Settings, key: str) -> bytes:
    """The bytes kept under ``key``; NotFound when there are none."""
    check_key(key)
    if settings.storage == "database":
        row = await PlatformFile.select(PlatformFile.data).where(PlatformFile.key == key).first()
        if row is None:
            raise NotFound()
        return bytes(row["data"])
    try:
        return await asyncio.to_thread(_path(settings, key).read_bytes)
    except FileNotFoundError:
        raise NotFound() from None


async def delete(settings: Settings, key: str) -> None:
    """Removes the file under ``key``; removing it again is harmless."""
    check_key(key)
    if settings.storage == "database":
        await PlatformFile.delete().where(PlatformFile.key == key)
    else:
        await asyncio.to_thread(_path(settings, key).unlink, True)
