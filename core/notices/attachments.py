"""Images and PDFs attached to a notice: checked by their bytes, kept in the storage
interface, and served only to those who may see the notice."""

from __future__ import annotations

from dataclasses import dataclass


from core.config import Settings
from core.errors import ValidationFailed
from core.i18n import Message
from core.notices.tables import NoticeAttachment
from core.storage import store as storage
from core.storage.sniff import DOCUMENTS, IMAGES, check_upload
from core.tenancy import TenantScope

ALLOWED = IMAGES | DOCUMENTS
MAX_BYTES = 10 * 1024 * 1024
MAX_COUNT = 5
# What a draft form may carry: every attachment at its largest, and the text.
FORM_MAX_BYTES = MAX_COUNT * MAX_BYTES + 1024 * 1024
NAMESPACE = "notices"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    declared: str = ""  # the type the browser sent it as


def check(uploads: list[Upload], *, already: int) -> list[tuple[Upload, str]]:
    """Each upload with its sniffed type, or ValidationFailed on ``attachments`` naming the first
    problem (the wrong type, too large, empty, too many)."""
    if already + len(uploads) > MAX_COUNT:
        raise ValidationFailed({"attachments": Message(
            "A notice takes at most %(count)d attachments.", {"count": MAX_COUNT})})
    checked = []
    for upload in uploads:
        content_type = check_upload(upload.data, upload.filename, allowed=ALLOWED, max_bytes=MAX_BYTES,
                                    field="attachments", declared=upload.declared)
        checked.append((upload, content_type))
    return checked


async def attach(settings: Settings, scope: TenantScope, notice_id: int, checked: list[tuple[Upload, str]]) -> None:
    """Store the files and attach them (the caller holds the write transaction)."""
    store = storage.store_for(settings)
    position = await scope.count(NoticeAttachment).where(NoticeAttachment.notice == notice_id)
    for upload, content_type in checked:
        key = await storage.put(scope, NAMESPACE, upload.data, content_type=content_type, filename=upload.filename,
                                store=store)
        position += 1
        await scope.create(NoticeAttachment, notice=notice_id, storage_key=key,
                           filename=storage.clean_filename(upload.filename), content_type=content_type,
                           size=len(upload.data), position=position)


async def listing(scope: TenantScope, notice_id: int) -> list[NoticeAttachment]:
    return await scope.objects(NoticeAttachment).where(NoticeAttachment.notice == notice_id).order_by(
        NoticeAttachment.position)


async def remove(settings: Settings, scope: TenantScope, notice_id: int, attachment_ids: list[int]) -> None:
    """Detach; the file itself goes when no version of any notice uses it any more."""
    store = storage.store_for(settings)
    for attachment in await scope.objects(NoticeAttachment).where(
            NoticeAttachment.notice == notice_id, NoticeAttachment.id.is_in(attachment_ids or [-1])):
        await scope.delete(NoticeAttachment).where(NoticeAttachment.id == attachment.id)
        if not await scope.exists(NoticeAttachment).where(NoticeAttachment.storage_key == attachment.storage_key):
            await storage.delete(scope, attachment.storage_key, store=store)


async def copy_to(scope: TenantScope, source_id: int, target_id: int) -> None:
    """A correction starts with the attachments of the version it corrects (the same files)."""
    for attachment in await listing(scope, source_id):
        await scope.create(NoticeAttachment, notice=target_id, storage_key=attachment.storage_key,
                           filename=attachment.filename, content_type=attachment.content_type, size=attachment.size,
                           position=attachment.position)


async def file_of(settings: Settings, scope: TenantScope, notice_id: int, attachment_id: int):
    """The stored file of one attachment of the notice, or None."""
    attachment = await scope.get(NoticeAttachment, attachment_id)
    if attachment is None or attachment.notice != notice_id:
        return None, None
    return attachment, await storage.get(scope, attachment.storage_key, store=storage.store_for(settings))



