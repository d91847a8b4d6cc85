"""The master key, and keys derived from it for one purpose each.

The master key lives in a file, never in the database: ``GONGZHI_MASTER_KEY_FILE``, or
in the embedded default ``var/master.key``, made on first use. Every app process of a
deployment must read the same file.

The file is either one key (32 raw bytes, as made on first use) or a key ring, a text file
that holds several while the master key is rotated (docs/operations.md)::

    gongzhi-master-keys v1
    derive <base64>     the secret the purpose keys derive from (CSRF, TOTP, Web Push…)
    key <base64>        the current key: it wraps every district key made from now on
    key <base64>        an older (or not yet current) key: it still opens what it wrapped

Each wrapping key is known by its id (:func:`key_id`), which a district key's row records.
The derivation secret does not change when the wrapping keys do, so that rotating them
leaves the secrets derived for one purpose, and what they protect, as they were. A single
key file is both: its key wraps and derives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets as random
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings

KEY_BYTES = 32


class MasterKeyMissing(RuntimeError):
    pass


RING_HEADER = b"gongzhi-master-keys v1"


@dataclass(frozen=True)
class KeyRing:
    """What the master key file holds: the wrapping keys, current first, and the derivation secret."""

    keys: tuple[bytes, ...]
    derive: bytes

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> str:
        return key_id(self.keys[0])

    def by_id(self) -> dict[str, bytes]:
        return {key_id(key): key for key in self.keys}


def key_id(key: bytes) -> str:
    """A wrapping key's short public name: the start of a hash of it (it tells nothing of the key)."""
    return hashlib.sha256(b"gongzhi:master-key-id:" + key).hexdigest()[:12]


def parse_ring(content: bytes, source: str = "the master key file") -> KeyRing:
    """The key ring in ``content`` (a key ring, or a single raw key)."""
    if not content.startswith(RING_HEADER):
        if len(content) < KEY_BYTES:
            raise MasterKeyMissing(f"the master key in {source} is shorter than {KEY_BYTES} bytes")
        return KeyRing((content,), content)
    keys: list[bytes] = []
    derive = b""
    for number, line in enumerate(content.decode("ascii", "replace").splitlines()[1:], start=2):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        try:
            if len(words) != 2 or words[0] not in ("key", "derive"):
                raise ValueError(line)
            value = base64.b64decode(words[1], validate=True)
        except (ValueError, binascii.Error):
            raise MasterKeyMissing(f"{source}, line {number}: expected 'key <base64>' or 'derive <base64>'") from None
        if len(value) != KEY_BYTES:
            raise MasterKeyMissing(f"{source}, line {number}: a key is {KEY_BYTES} bytes")
        if words[0] == "derive":
            derive = value
        elif value not in keys:
            keys.append(value)
    if not keys:
        raise MasterKeyMissing(f"{source} holds no key")
    return KeyRing(tuple(keys), derive or keys[0])


def format_ring(ring: KeyRing) -> bytes:
    lines = [RING_HEADER.decode(),
             "# The first key wraps what is made from now on; the others still open what they wrapped.",
             f"derive {base64.b64encode(ring.derive).decode()}"]
    lines += [f"key {base64.b64encode(key).decode()}  # {key_id(key)}" for key in ring.keys]
    return ("\n".join(lines) + "\n").encode()


def write_ring(path: Path, ring: KeyRing) -> None:
    """Replace the file at ``path`` with ``ring`` at once (a reader sees the old file or the new
    one, never half of one), readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.new")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(format_ring(ring))
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def master_key_path(settings: Settings) -> Path:
    return settings.master_key_file or settings.var_dir / "master.key"


# What was read, per file, with the file's identity then: a process reads the key once and again
# only when the file changes (a new master key is then seen without a restart).
_read: dict[Path, tuple[tuple[int, int, int], KeyRing]] = {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def master_key(settings: Settings) -> bytes:
    """The current wrapping key."""
    return key_ring(settings).current


def key_ring(settings: Settings) -> KeyRing:
    """Every key the master key file holds, read again only when the file changes."""
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
    ring = parse_ring(path.read_bytes(), str(path))
    if identity is not None:
        _read[path] = (identity, ring)
    return ring


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key for one purpose (e.g. ``"csrf"``), derived from the master key file's derivation
    secret (which a rotation of the wrapping keys leaves as it is)."""
    return hmac.new(key_ring(settings).derive, b"gongzhi:" + purpose.encode(), hashlib.sha256).digest()
