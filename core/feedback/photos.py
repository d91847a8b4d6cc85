"""Photos of a feedback item: up to six sent with it, and up to six with each resolution.

Each photo is judged by its bytes, decoded, turned upright from its EXIF orientation, made
at most 1600 px on its longest side and encoded afresh with no metadata at all, so that no
camera, time or GPS position survives (JPEG, or PNG when it has transparency). A private
item's photo is stored sealed for its resident through the encryption service, and read
back only through it, for those who may read the item's description.

Files are written inside the item's write transaction (:func:`writing`); when that does not
commit, the files it wrote are removed again, so neither a row without its file nor a file
without its row is left behind.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from core.config import Settings
from core.errors import NotFound, ValidationFailed
from core.feedback.tables import FeedbackCategory, FeedbackItem, FeedbackPhoto
from core.i18n import Message
from core.storage import store as storage
from core.storage.sniff import GIF, IMAGES, JPEG, PNG, WEBP, check_upload
from core.tenancy import TenantScope

log = logging.getLogger("gongzhi.feedback")

SUBMISSION = "submission"
RESOLUTION = "resolution"
MAX_COUNT = 6
MAX_BYTES = 10 * 1024 * 1024
# What a form with photos may carry: every photo at its largest, and the text.
FORM_MAX_BYTES = MAX_COUNT * MAX_BYTES + 1024 * 1024
LONGEST_SIDE = 1600
# Larger than any phone's ordinary photo (a 50-megapixel camera), smaller than Pillow's own
# limit: a few kilobytes that claim more pixels than this are a decompression bomb.
MAX_PIXELS = 64_000_000
JPEG_QUALITY = 85
# How large a photo is drawn in a page: the stored image, with smaller width and height.
THUMBNAIL_SIDE = 160
NAMESPACE = "feedback"
# What a private item's photo is sealed as (bound to the photo's row), and stored as.
SEALED_TABLE = "feedback_photo"
SEALED_TYPE = "application/octet-stream"

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
_EXTENSIONS = {JPEG: "jpg", PNG: "png"}

T = TypeVar("T")


@dataclass(frozen=True)
class Photo:
    """A photo ready to be stored: the new image and, for the idempotency key, the digest
    of the file as it was sent."""

    data: bytes = field(repr=False)
    content_type: str
    width: int
    height: int
    digest: str


# Checking and preparing -------------------------------------------------------------------


def _name(filename: str) -> str:
    name = storage.clean_filename(filename)
    return name if len(name) <= 60 else name[:59] + "…"


def _unreadable(filename: str) -> ValidationFailed:
    return ValidationFailed({"photos": Message("“%(filename)s” could not be read as a picture.",
                                               {"filename": _name(filename)})})


def _too_many_pixels(filename: str) -> ValidationFailed:
    return ValidationFailed({"photos": Message(
        "“%(filename)s” has more than %(limit)d million pixels.",
        {"filename": _name(filename), "limit": MAX_PIXELS // 1_000_000})})


def _has_transparency(image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La") and "transparency" not in image.info:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[0] < 255


def _srgb(image, icc_profile: bytes):
    """The image in sRGB, its colours kept though its ICC profile is not stored."""
    from PIL import ImageCms

    try:
        return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                                         ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image.convert("RGB")


def _reencoded(data: bytes, filename: str, kind: str) -> Photo:
    """The upload decoded, upright, resized and encoded afresh without metadata (blocking)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(filename)
            # A JPEG decodes straight at a half, quarter or eighth of its size when that is
            # still at least the size wanted: far less memory and time for a large photo.
            scale = min(1.0, LONGEST_SIDE / max(width, height))
            opened.draft(opened.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
            icc_profile = opened.info.get("icc_profile")
            image = ImageOps.exif_transpose(opened)
            transparent = _has_transparency(image)
            if transparent:
                image = image.convert("RGBA")
            elif image.mode in ("RGB", "CMYK") and icc_profile:
                image = _srgb(image, icc_profile)
            elif image.mode != "L":
                image = image.convert("RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
            # A fresh image: nothing of the original's metadata (EXIF, GPS, XMP, comments,
            # ICC profile) can travel along with the pixels.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(filename) from None
    except Exception:  # anything a broken or hostile file makes a decoder raise
        raise _unreadable(filename) from None
    out = io.BytesIO()
    if transparent:
        clean.save(out, "PNG", optimize=True)
        content_type = PNG
    else:
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type = JPEG
    return Photo(out.getvalue(), content_type, clean.width, clean.height, hashlib.sha256(data).hexdigest())


def _prepare(uploads: Sequence[tuple[str, bytes]]) -> list[Photo]:
    if len(uploads) > MAX_COUNT:
        raise ValidationFailed({"photos": Message("Send at most %(count)d photos.", {"count": MAX_COUNT})})
    kinds = [check_upload(data, filename, allowed=IMAGES, max_bytes=MAX_BYTES, field="photos")
             for filename, data in uploads]
    return [_reencoded(data, filename, kind) for (filename, data), kind in zip(uploads, kinds)]


async def prepare(uploads: Sequence[tuple[str, bytes]]) -> list[Photo]:
    """The uploads (filename, bytes) as photos to store, in their order; ValidationFailed on
    ``photos`` naming the first that is not a picture, is too large, or is one too many.
    All or nothing: one bad photo refuses them all. The decoding runs off the event loop."""
    if not uploads:
        return []
    return await asyncio.to_thread(_prepare, list(uploads))


async def checked_with(cleaning: Awaitable[T], uploads: Sequence[tuple[str, bytes]]) -> tuple[T, list[Photo]]:
    """What ``cleaning`` gives, and the prepared photos; the problems of both at once."""
    errors: dict[str, Message] = {}
    value = photos = None
    try:
        value = await cleaning
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        photos = await prepare(uploads)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return value, photos


# Storing ----------------------------------------------------------------------------------


class Files:
    """What one write transaction stores: rows in it, and files whose keys it remembers so
    that they can be removed if it does not commit."""

    def __init__(self, settings: Settings, scope: TenantScope) -> None:
        self.settings = settings
        self.scope = scope
        self.store = storage.store_for(settings)
        self.keys: list[str] = []

    async def save(self, item: FeedbackItem, photos: Sequence[Photo], *, stage: str,
                   timeline_entry: int | None = None) -> list[FeedbackPhoto]:
        """Store ``photos`` of ``item`` (a private item's sealed for its resident) and record them."""
        if stage not in (SUBMISSION, RESOLUTION):
            raise ValueError(stage)
        if not photos:
            return []
        category = await self.scope.get(FeedbackCategory, item.category)
        private = bool(category and category.private)
        rows = []
        for position, photo in enumerate(photos, 1):
            row = await self.scope.create(
                FeedbackPhoto, item=item.id, stage=stage, timeline_entry=timeline_entry, storage_key="",
                content_type=photo.content_type, width=photo.width, height=photo.height, size=len(photo.data),
                sealed=private, position=position)
            data, content_type = photo.data, photo.content_type
            if private:  # sealed with the row's own id, so it cannot be passed off as another
                from core.protection import services as protection

                sealed = await protection.seal(self.settings, self.scope, item.submitter, SEALED_TABLE, row.id,
                                               base64.b64encode(photo.data).decode("ascii"))
                data, content_type = sealed.encode("ascii"), SEALED_TYPE
            key = await storage.put(self.scope, NAMESPACE, data, content_type=content_type,
                                    filename=f"photo.{_EXTENSIONS[photo.content_type]}", store=self.store)
            self.keys.append(key)
            await self.scope.update(FeedbackPhoto, {FeedbackPhoto.storage_key: key}).where(FeedbackPhoto.id == row.id)
            row.storage_key = key
            rows.append(row)
        return rows

    async def discard(self) -> None:
        """Remove every file stored so far (their rows went with the transaction)."""
        for key in self.keys:
            try:
                await storage.delete(self.scope, key, store=self.store)
            except Exception:
                log.exception("could not remove the photo file %s of a transaction that did not commit", key)
        self.keys.clear()


@asynccontextmanager
async def writing(settings: Settings, scope: TenantScope) -> AsyncIterator[Files]:
    """A write transaction of ``scope`` that may store photos: when it does not commit, the
    files it stored are removed again. (Opened inside another transaction, it joins it, and
    only a failure up to its own end is seen.)"""
    files = Files(settings, scope)
    try:
        async with scope.transaction(write=True):
            yield files
    except BaseException:
        await files.discard()
        raise


# Showing and reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A photo as a page draws it: its id, and the size of its thumbnail."""

    id: int
    width: int
    height: int


@dataclass(frozen=True)
class Gallery:
    submission: list[Shown] = field(default_factory=list)
    resolutions: dict[int, list[Shown]] = field(default_factory=dict)  # by timeline entry


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


async def gallery(scope: TenantScope, item_id: int) -> Gallery:
    """The item's photos: those sent with it, and those of each resolution."""
    shown = Gallery()
    rows = await scope.select(
        FeedbackPhoto, FeedbackPhoto.id, FeedbackPhoto.stage, FeedbackPhoto.timeline_entry, FeedbackPhoto.width,
        FeedbackPhoto.height).where(FeedbackPhoto.item == item_id).order_by(FeedbackPhoto.position, FeedbackPhoto.id)
    for row in rows:
        photo = Shown(row["id"], *thumbnail_size(row["width"], row["height"]))
        if row["stage"] == RESOLUTION and row["timeline_entry"] is not None:
            shown.resolutions.setdefault(row["timeline_entry"], []).append(photo)
        else:
            shown.submission.append(photo)
    return shown


async def read_photo(settings: Settings, scope: TenantScope, item: FeedbackItem, photo_id: int, *, reader_id: int,
                     may_read: Callable[[int], bool]) -> tuple[FeedbackPhoto, bytes]:
    """One photo of ``item`` and its image. A sealed one is opened through the encryption
    service (audited), for the resident and whoever ``may_read`` allows, as the description
    is; NotFound for a photo of another item, or one whose resident's key was destroyed."""
    photo = await scope.get(FeedbackPhoto, photo_id)
    if photo is None or photo.item != item.id or not photo.storage_key:
        raise NotFound()
    stored = await storage.get(scope, photo.storage_key, store=storage.store_for(settings))
    if not photo.sealed:
        return photo, stored.data
    from core.protection import ciphers, services as protection

    try:
        encoded = await protection.read(settings, scope, reader_id=reader_id, person_id=item.submitter,
                                        table=SEALED_TABLE, row_id=photo.id, sealed=stored.data.decode("ascii"),
                                        may_read=may_read, purpose="feedback")
    except ciphers.CannotOpen:
        raise NotFound() from None
    return photo, base64.b64decode(encoded)
