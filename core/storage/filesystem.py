"""Files on the local filesystem, under ``var/storage/`` (the embedded default).

A key ``t12/notices/3f9c…`` is kept as ``t12/notices/3f/3f9c…`` (the bytes) beside
``3f9c….json`` (content type and filename); the two-digit folder keeps any one folder small.
Each is written to a temporary file in its folder, flushed to disk and renamed into place,
so a reader never sees half a file. The sidecar is written last and removed first: a file
without one does not exist.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from core.errors import NotFound
from core.storage.store import StoredFile, check_key
from core.tenancy import TenantScope


class FilesystemStore:
    """The backend for one host: every app process must see the same ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"FilesystemStore({str(self.root)!r})"

    def path_of(self, scope: TenantScope, key: str) -> Path:
        """Where the bytes of ``key`` live. NotFound for any path that would leave the district's
        own folder, whatever the key or the links on disk (keys are checked before they get
        here too)."""
        check_key(scope, key)
        tenant_dir, namespace, name = key.split("/")
        district_root = (self.root / tenant_dir).resolve()
        path = (district_root / namespace / name[:2] / name).resolve()
        if not (district_root.is_relative_to(self.root) and path.is_relative_to(district_root)):
            raise NotFound()
        return path

    async def write(self, scope: TenantScope, file: StoredFile) -> None:
        path = self.path_of(scope, file.key)
        meta = json.dumps({"content_type": file.content_type, "filename": file.filename},
                          ensure_ascii=False).encode("utf-8")
        await asyncio.to_thread(self._write, path, file.data, meta)

    async def read(self, scope: TenantScope, key: str) -> StoredFile | None:
        path = self.path_of(scope, key)
        return await asyncio.to_thread(self._read, key, path)

    async def remove(self, scope: TenantScope, key: str) -> None:
        path = self.path_of(scope, key)
        await asyncio.to_thread(self._remove, path)

    async def keys(self, scope: TenantScope) -> list[str]:
        """Every key the district's folder holds a file for (one with its sidecar), sorted:
        what a back-up of the district takes (``tenants.archive``)."""
        return await asyncio.to_thread(self._keys, f"t{scope.tenant_id}")

    def _keys(self, tenant_dir: str) -> list[str]:
        district_root = self.root / tenant_dir
        if not district_root.is_dir():
            return []
        found = []
        for sidecar in district_root.glob("*/??/*.json"):
            name = sidecar.name.removesuffix(".json")
            if sidecar.with_name(name).is_file():
                found.append(f"{tenant_dir}/{sidecar.parent.parent.name}/{name}")
        return sorted(found)

    # The blocking part, run in a thread -------------------------------------------------

    @staticmethod
    def _sidecar(path: Path) -> Path:
        return path.with_name(path.name + ".json")

    def _write(self, path: Path, data: bytes, meta: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
        _write_atomically(self._sidecar(path), meta)
        _fsync_dir(path.parent)

    def _read(self, key: str, path: Path) -> StoredFile | None:
        try:
            meta = json.loads(self._sidecar(path).read_bytes())
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        return StoredFile(key=key, content_type=meta["content_type"], size=len(data), data=data,
                          filename=meta["filename"])

    def _remove(self, path: Path) -> None:
        for target in (self._sidecar(path), path):
            try:
                target.unlink()
            except FileNotFoundError:
                pass
        if path.parent.exists():
            _fsync_dir(path.parent)


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _fsync_dir(folder: Path) -> None:
    # The renames are durable once the folder itself is flushed (not possible on Windows).
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
