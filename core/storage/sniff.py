"""What an upload is, from its first bytes, and whether it may be stored.

The name and the type a browser declares are whatever the sender chose; the bytes are what
a reader's software will act on. So an upload is judged by its bytes: a program renamed
``report.pdf`` is refused, and what is stored is served as the type its bytes are. An upload
whose bytes contradict the type it declares (a PDF sent as a picture, a picture sent as a web
page) is refused too; a picture declared as another kind of picture (a JPEG named ``.png``, as
phones' apps often send them) is not, nor one whose type the browser did not know.
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


# What a browser declares when it does not know a file's type.
_UNKNOWN = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


def contradicts(declared: str, kind: str | None) -> bool:
    """Whether the declared type says the file is other than its bytes (``kind``) are: images
    are one family, so a picture declared as another picture does not contradict."""
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if kind is None or declared in _UNKNOWN:
        return False
    if kind.startswith("image/"):
        return not declared.startswith("image/")
    return declared != kind


def check_declared(filename: str, declared: str, data: bytes, *, field: str = "file") -> None:
    """ValidationFailed on ``field`` when the upload's bytes contradict its declared type."""
    kind = sniff(data)
    if contradicts(declared, kind):
        shown = (declared or "").split(";", 1)[0].strip()[:60]
        raise ValidationFailed({field: Message("“%(filename)s” is sent as %(declared)s but is a %(kind)s file.", {
            "filename": _shown_name(filename), "declared": shown, "kind": KIND_NAMES[kind]})})


def check_upload(data: bytes, filename: str, *, allowed: set[str] | frozenset[str], max_bytes: int,
                 field: str = "file", declared: str = "") -> str:
    """The MIME type of an upload that may be stored; otherwise ValidationFailed, with a
    message for ``field`` naming the file: empty, larger than ``max_bytes`` (said in MB), not
    one of the ``allowed`` types by its bytes (whatever its name), or bytes that contradict
    its ``declared`` type."""
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
    check_declared(filename, declared, data, field=field)
    return kind
