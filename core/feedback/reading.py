"""Reading feedback items: a resident's own, and one item with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.config import Settings
from core.feedback.tables import FeedbackCategory, FeedbackItem, TimelineEntry
from core.tenancy import TenantScope


@dataclass(frozen=True)
class ItemView:
    item: FeedbackItem
    category: FeedbackCategory
    description: str
    timeline: list[TimelineEntry]

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
    """The item as ``reader_id`` may see it; a private description is unsealed through the
    encryption service (audited), only for the submitter and those ``may_read_private`` allows."""
    category = await scope.get(FeedbackCategory, item.category)
    description = item.description
    if category.private and item.sealed_description:
        from core.protection import services as protection

        description = await protection.read(settings, scope, reader_id=reader_id, person_id=item.submitter,
                                            table="feedback_item", row_id=item.id, sealed=item.sealed_description,
                                            may_read=may_read_private, purpose="feedback")
    entries = await scope.objects(TimelineEntry).where(TimelineEntry.item == item.id).order_by(TimelineEntry.id)
    return ItemView(item, category, description, entries)
