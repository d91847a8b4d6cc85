"""Erasing the sealed details of private feedback items kept longer than the district keeps them.

An item's details are erased together (its description, the notes of its timeline, the
resident's rating comment, the departments' reports), once it is closed or rejected and has
not changed for the retention's days: a case still being handled keeps everything. The item
itself (its number, category, dates, states and rating) stays, so statistics and the
resident's list stay whole; where a detail was, readers are told when it was erased.
"""

from __future__ import annotations

from datetime import datetime

from core import clock
from core.feedback.tables import CallIn, FeedbackItem, State, TimelineEntry
from core.protection.retention import BATCH, SEALED_PATTERN, erased_marker
from core.tenancy import TenantScope

FINAL = (State.closed.value, State.rejected.value)


async def erase(scope: TenantScope, before: datetime) -> int:
    """Erase the sealed details of the district's private items finished before ``before``;
    returns how many items. Items already erased are not counted again."""
    marker = erased_marker(clock.now())
    erased = 0
    while True:
        async with scope.transaction(write=True):
            rows = await scope.select(FeedbackItem, FeedbackItem.id).where(
                FeedbackItem.category.private == True,  # noqa: E712 — a column comparison
                FeedbackItem.state.is_in(list(FINAL)), FeedbackItem.updated_at < before,
                FeedbackItem.sealed_description.like(SEALED_PATTERN)).limit(BATCH)
            ids = [row["id"] for row in rows]
            if ids:
                await scope.update(FeedbackItem, {FeedbackItem.sealed_description: marker}).where(
                    FeedbackItem.id.is_in(ids))
                await scope.update(FeedbackItem, {FeedbackItem.rating_comment: marker}).where(
                    FeedbackItem.id.is_in(ids), FeedbackItem.rating_comment.like(SEALED_PATTERN))
                await scope.update(TimelineEntry, {TimelineEntry.note: marker}).where(
                    TimelineEntry.item.is_in(ids), TimelineEntry.sealed == True,  # noqa: E712
                    TimelineEntry.note.like(SEALED_PATTERN))
                await scope.update(CallIn, {CallIn.report: marker}).where(
                    CallIn.item.is_in(ids), CallIn.report.like(SEALED_PATTERN))
        erased += len(ids)
        if len(ids) < BATCH:
            return erased
