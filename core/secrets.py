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


def master_key(settings: Settings) -> bytes:
    path = master_key_path(settings)
    if not path.exists():
        if settings.master_key_file is not None:
            raise MasterKeyMissing(f"GONGZHI_MASTER_KEY_FILE names {path}, which does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Create it readable by this user only, and never overwrite one made meanwhile.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(random.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise MasterKeyMissing(f"the master key in {path} is shorter than {KEY_BYTES} bytes")
    return key


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key for one purpose (e.g. ``"csrf"``), derived from the master key."""
    return hmac.new(master_key(settings), b"gongzhi:" + purpose.encode(), hashlib.sha256).digest()
