"""The master key, and keys derived from it for one purpose each.

The master key lives in a file, never in the database: ``GONGZHI_MASTER_KEY_FILE``, or
in the embedded default ``var/master.key``, made on first use. Every app process of a
deployment must read the same file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets as random
from pathlib import Path

from core.config import Settings

KEY_BYTES = 32


class MasterKeyMissing(RuntimeError):
    pass


def master_key_path(settings: Settings) -> Path:
    return settings.master_key_file or settings.var_dir / "master.key"


# What was read, per file, with the file's identity then: a process reads the key once and again
# only when the file changes (a new master key is then seen without a restart).
_read: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def master_key(settings: Settings) -> bytes:
    path = master_key_path(settings)
    identity = _identity(path)
    kept = _read.get(path)
    if kept is not None and identity is not None and kept[0] == identity:
        return kept[1]
    if identity is None:
        if settings.master_key_file is not None:
            raise MasterKeyMissing(f"GONGZHI_MASTER_KEY_FILE names {path}, which does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Create it readable by this user only, and never overwrite one made meanwhile.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(random.token_bytes(KEY_BYTES))
    identity = _identity(path)
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise MasterKeyMissing(f"the master key in {path} is shorter than {KEY_BYTES} bytes")
    if identity is not None:
        _read[path] = (identity, key)
    return key


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key for one purpose (e.g. ``"csrf"``), derived from the master key."""
    return hmac.new(master_key(settings), b"gongzhi:" + purpose.encode(), hashlib.sha256).digest()
