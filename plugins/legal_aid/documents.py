"""Documents given with a consultation, and mediation agreements: checked by what they are
(their first bytes), not by what they claim to be, and stored sealed with the resident's key
(a copy of the storage shows nothing of them)."""

from __future__ import annotations

import base64
import json
from typing import Any

from core.sdk import Message, NotFound, TenantScope, ValidationFailed, now

from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Document

DOCUMENT_TABLE = "legal_aid_document"
LARGEST = 700 * 1024
MOST = 3
# What a document may be: its first bytes, and the types a browser may declare for it.
KINDS = {
    "application/pdf": (b"%PDF-", {"application/pdf"}),
    "image/jpeg": (b"\xff\xd8\xff", {"image/jpeg", "image/jpg", "image/pjpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {"image/png"}),
}


def check(files: list[tuple[str, str, bytes]], *, field: str = "documents") -> list[tuple[str, str, bytes]]:
    """The files as (name, content type, bytes), each a PDF, JPEG or PNG that is what it says
    and at most 700 KB, at most three; ValidationFailed on ``field`` otherwise."""
    if len(files) > MOST:
        raise ValidationFailed({field: Message("Send at most %(most)s documents.", {"most": MOST})})
    checked = []
    for name, declared, content in files:
        kind = next((kind for kind, (magic, _names) in KINDS.items() if content.startswith(magic)), None)
        if kind is None or declared.split(";")[0].strip().lower() not in KINDS[kind][1]:
            raise ValidationFailed({field: Message(
                "%(name)s is not a PDF, JPEG or PNG file. Send documents as PDF or as photos.", {"name": name})})
        if len(content) > LARGEST:
            raise ValidationFailed({field: Message("%(name)s is larger than 700 KB. Send a smaller copy.",
                                                   {"name": name})})
        checked.append((name[-100:], kind, content))
    return checked


async def keep(scope: TenantScope, consultation_id: int, person_id: int, uploaded_by: int,
               files: list[tuple[str, str, bytes]], *, kind: str = "material", case_id: int | None = None) -> None:
    """Store checked files sealed for ``person_id``, each bound to its row (inside the caller's
    transaction)."""
    for name, content_type, content in files:
        row = await scope.create(Document, consultation=consultation_id, case_id=case_id, kind=kind, storage_key="",
                                 content_type=content_type, size=len(content), uploaded_by=uploaded_by,
                                 created_at=now())
        sealed = await plugin.seal(scope, person_id, DOCUMENT_TABLE, row.id, json.dumps(
            {"name": name, "data": base64.b64encode(content).decode("ascii")}))
        key = await plugin.store_file(scope, f"document-{row.id}", sealed.encode("ascii"),
                                      "application/octet-stream")
        await scope.update(Document, {Document.storage_key: key}).where(Document.id == row.id)


async def listed(scope: TenantScope, consultation_id: int) -> list[dict[str, Any]]:
    return await scope.select(Document, Document.id, Document.kind, Document.case_id, Document.content_type,
                              Document.size, Document.created_at).where(
        Document.consultation == consultation_id).order_by(Document.id)


async def open_document(scope: TenantScope, consultation_id: int, document_id: int, *, reader_id: int,
                        person_id: int, may_read) -> tuple[str, str, bytes]:
    """A document's name, type and bytes, opened for a reader ``may_read`` allows (audited)."""
    row = await scope.objects(Document).where(Document.id == document_id,
                                              Document.consultation == consultation_id).first()
    if row is None or not row.storage_key:
        raise NotFound()
    stored = await plugin.read_file(scope, row.storage_key)
    opened = json.loads(await plugin.read_sealed(scope, reader_id=reader_id, person_id=person_id,
                                                 table=DOCUMENT_TABLE, row_id=row.id,
                                                 sealed=stored.data.decode("ascii"), may_read=may_read,
                                                 purpose="legal_aid"))
    return opened["name"], row.content_type, base64.b64decode(opened["data"])
