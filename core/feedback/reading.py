"""Reading feedback items: a resident's own, and one item with its timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.config import Settings
from core.feedback.tables import FeedbackCategory, FeedbackItem, TimelineEntry
from core.i18n import N_, Message
from core.tenancy import TenantScope
from tenants.tables import Department

# What a reader who may not read a private item's text sees in its place.
SEALED = N_("(sealed)")


@dataclass(frozen=True)
class ItemView:
    item: FeedbackItem
    category: FeedbackCategory
    description: str
    timeline: list[TimelineEntry]
    rating_comment: str | Message = ""
    departments: dict[int, str] = field(default_factory=dict)  # the departments the timeline names

    @property
    def overdue_at(self) -> datetime:
        return self.item.accept_due if self.item.state == "submitted" else self.item.resolve_due


async def own_items(scope: TenantScope, person_id: int) -> list[dict]:
    return await scope.select(
        FeedbackItem, FeedbackItem.id, FeedbackItem.tracking_number, FeedbackItem.state, FeedbackItem.created_at,
        FeedbackItem.category.name).where(FeedbackItem.submitter == person_id).order_by(
        FeedbackItem.id, ascending=False).limit(100)


async def view(settings: Settings, scope: TenantScope, item: FeedbackItem, *, reader_id: int,
               may_read_private) -> ItemView:
    """The item as ``reader_id`` may see it; a private description, notes and rating comment
    are unsealed through the encryption service (audited), only for the submitter and those
    ``may_read_private`` allows."""
    category = await scope.get(FeedbackCategory, item.category)
    description = item.description
    if category.private and item.sealed_description:
        from core.protection import retention, services as protection

        try:
            description = await protection.read(settings, scope, reader_id=reader_id, person_id=item.submitter,
                                                table="feedback_item", row_id=item.id, sealed=item.sealed_description,
                                                may_read=may_read_private, purpose="feedback")
        except protection.Erased as erased:
            description = str(retention.erased_note(erased.at))
    entries = await scope.objects(TimelineEntry).where(TimelineEntry.item == item.id).order_by(TimelineEntry.id)
    for entry in entries:  # shown, never saved: a sealed note is opened for this reader only
        if entry.sealed and entry.note:
            entry.note = await unseal(settings, scope, item, reader_id=reader_id, may_read_private=may_read_private,
                                      table="feedback_timeline", row_id=entry.id, sealed=entry.note)
    rating_comment: str | Message = item.rating_comment
    if category.private and item.rating_comment:
        from core.feedback.workflow import RATING_COMMENT

        rating_comment = await unseal(settings, scope, item, reader_id=reader_id, may_read_private=may_read_private,
                                      table=RATING_COMMENT, row_id=item.id, sealed=item.rating_comment)
    named = sorted({e.party_id for e in entries if e.party_type == "department" and e.party_id is not None})
    departments: dict[int, str] = {}
    if named:
        rows = await scope.select(Department, Department.id, Department.name).where(Department.id.is_in(named))
        departments = {row["id"]: row["name"] for row in rows}
    return ItemView(item, category, description, entries, rating_comment, departments)


async def unseal(settings: Settings, scope: TenantScope, item: FeedbackItem, *, reader_id: int,
                 may_read_private: Callable[[int], bool], table: str, row_id: int, sealed: str) -> str | Message:
    """A private item's sealed note, rating comment or report, opened through the encryption
    service (audited) for the submitter and those ``may_read_private`` allows; anyone else
    (and everyone, once the resident's key was destroyed) sees that it is sealed."""
    from core.protection import ciphers, services as protection

    if reader_id != item.submitter and not may_read_private(reader_id):
        return Message(SEALED)
    try:
        return await protection.read(settings, scope, reader_id=reader_id, person_id=item.submitter, table=table,
                                     row_id=row_id, sealed=sealed, may_read=may_read_private, purpose="feedback")
    except protection.Erased as erased:
        from core.protection import retention

        return retention.erased_note(erased.at)
    except ciphers.CannotOpen:
        return Message(SEALED)
