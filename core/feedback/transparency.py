"""What anyone may see of a district's feedback: items their residents allowed to be shown,
anonymised, and never an item of a private category.

An item shown publicly carries its tracking number, category, community, state and dates,
and its description only when the resident allowed it, with anything that looks like a
mobile number or an identity-card number masked. Never the resident, the address, the
coordinates, photos or the names of staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.feedback.tables import FeedbackItem, TimelineEntry
from core.tenancy import TenantScope, fits, page_offset
from tenants.tables import Community

PAGE_SIZE = 20
# A mobile number: 11 digits starting with 1, maybe after +86, maybe written 138 1234 5678 or 138-1234-5678.
_PHONE = re.compile(r"(?<!\d)((?:\+?86[ -]?)?1\d{2})[ -]?\d{4}[ -]?(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
# What a visitor sees of the timeline: the moves, and what was done when it was resolved.
_SHOWN_NOTES = ("resolve",)


# What follows this in a description is for staff (an Open311 client's contact details).
STAFF_ONLY = "\n\n[Open311]\n"


def mask(text: str) -> str:
    """``text`` with mobile and identity-card numbers masked (138****5678)."""
    text = _ID_CARD.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


@dataclass(frozen=True)
class PublicItem:
    id: int
    tracking_number: str
    category: str
    community: str
    state: str
    created_at: datetime
    description: str


@dataclass(frozen=True)
class PublicMove:
    at: datetime
    action: str
    to_state: str
    note: str


def _shown():
    return (FeedbackItem.public == True) & (FeedbackItem.category.private == False)  # noqa: E712


async def _communities(scope: TenantScope) -> dict[int, str]:
    return {c["id"]: c["name"] for c in await scope.select(Community, Community.id, Community.name)}


def _public(row: dict, communities: dict[int, str]) -> PublicItem:
    return PublicItem(row["id"], row["tracking_number"], row["category.name"],
                      communities.get(row["community_id"], ""), row["state"], row["created_at"],
                      mask(row["description"].split(STAFF_ONLY, 1)[0]))


_COLUMNS = (FeedbackItem.id, FeedbackItem.tracking_number, FeedbackItem.category.name, FeedbackItem.community_id,
            FeedbackItem.state, FeedbackItem.created_at, FeedbackItem.description)


async def items(scope: TenantScope, *, page: int = 1) -> tuple[list[PublicItem], bool]:
    """A page of the public items, newest first, and whether there is another page."""
    rows = await scope.select(FeedbackItem, *_COLUMNS).where(_shown()).order_by(
        FeedbackItem.id, ascending=False).limit(PAGE_SIZE + 1).offset(page_offset(page, PAGE_SIZE))
    communities = await _communities(scope)
    return [_public(row, communities) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


async def item(scope: TenantScope, item_id: int) -> tuple[PublicItem, list[PublicMove]] | None:
    """One public item and its moves; None when it is not public (or not there)."""
    if not fits(FeedbackItem.id, item_id):
        return None
    row = await scope.select(FeedbackItem, *_COLUMNS).where(_shown(), FeedbackItem.id == item_id).first()
    if row is None:
        return None
    entries = await scope.select(TimelineEntry, TimelineEntry.at, TimelineEntry.action, TimelineEntry.to_state,
                                 TimelineEntry.note).where(TimelineEntry.item == item_id).order_by(TimelineEntry.id)
    moves = [PublicMove(e["at"], e["action"], e["to_state"], mask(e["note"]) if e["action"] in _SHOWN_NOTES else "")
             for e in entries]
    return _public(row, await _communities(scope)), moves
