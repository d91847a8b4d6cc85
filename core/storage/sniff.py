"""What an upload is, from its first bytes, and whether it may be stored.

The name and the type a browser declares are whatever the sender chose; the bytes are what
a reader's software will act on. So an upload is judged by its bytes alone: a program
renamed ``report.pdf`` is refused.
"""

from __future__ import annotations

from core.errors import ValidationFailed
from core.i18n import Message

PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"

IMAGES = frozenset({PNG, JPEG, GIF, WEBP})
DOCUMENTS = frozenset({PDF})

# How each type is named to people (the same in every language).
KIND_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WebP"}

_MEGABYTE = 1024 * 1024
_SHOWN_NAME_LENGTH = 60


def sniff(data: bytes) -> str | None:
    """The MIME type of ``data`` by its magic bytes: PNG, JPEG, GIF, WebP or PDF; else None."""
    head = bytes(data[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _megabytes(size: int) -> str:
    # 10 MB, 0.5 MB, 1.5 MB: one decimal at most, none when whole.
    return f"{size / _MEGABYTE:.1f}".removesuffix(".0")


def _shown_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(character for character in name if character.isprintable())
    return name if len(name) <= _SHOWN_NAME_LENGTH else name[: _SHOWN_NAME_LENGTH - 1] + "…"


def check_upload(data: bytes, filename: str, *, allowed: set[str] | frozenset[str], max_bytes: int,
                 field: str = "file") -> str:
    """The MIME type of an upload that may be stored; otherwise ValidationFailed, with a
    message for ``field`` naming the file: empty, larger than ``max_bytes`` (said in MB), or
    not one of the ``allowed`` types by its bytes (whatever its name or declared type)."""
    if not allowed or not set(allowed) <= set(KIND_NAMES):
        raise ValueError(f"check_upload allows some of {sorted(KIND_NAMES)}, not {sorted(allowed)}")
    name = _shown_name(filename)
    if not data:
        raise ValidationFailed({field: Message("“%(filename)s” is empty.", {"filename": name})})
    if len(data) > max_bytes:
        raise ValidationFailed({field: Message("“%(filename)s” is larger than %(limit)s MB.",
                                               {"filename": name, "limit": _megabytes(max_bytes)})})
    kind = sniff(data)
    if kind is None or kind not in allowed:
        kinds = " / ".join(KIND_NAMES[t] for t in KIND_NAMES if t in allowed)
        raise ValidationFailed({field: Message(
            "“%(filename)s” is not a file of an accepted type (%(kinds)s).", {"filename": name, "kinds": kinds})})
    return kind
