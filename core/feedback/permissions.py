"""Who may handle a feedback item, who may read a private one, and who calls departments in
on it (吹哨) or answers such a call (报到)."""

from __future__ import annotations

from collections.abc import Iterable

from core.accounts.roles import CONSOLE_ROLES, DISTRICT_ADMIN
from core.accounts.services import Place
from core.feedback.tables import CallIn, FeedbackItem
from core.tenancy import TenantScope
from tenants.tables import Community


def _console(places: Iterable[Place]) -> list[Place]:
    return [p for p in places if p.roles & CONSOLE_ROLES]


def is_district_wide(places: Iterable[Place]) -> bool:
    return any(not p.unit_kind or DISTRICT_ADMIN in p.roles for p in _console(places))


def is_assigned(places: Iterable[Place], party_type: str, party_id: int | None) -> bool:
    """The person is (in) the responsible party; district supervision is the admins."""
    for place in _console(places):
        if (place.unit_kind, place.unit_id) == (party_type, party_id):
            return True
        if party_type == "supervision" and DISTRICT_ADMIN in place.roles:
            return True
    return False


async def can_handle(scope: TenantScope, places: list[Place], item: FeedbackItem, private: bool) -> bool:
    """Staff act on items of their own part of the district (a private one: only its party)."""
    if private:
        return is_assigned(places, item.party_type, item.party_id)
    if is_district_wide(places) or is_assigned(places, item.party_type, item.party_id):
        return True
    street = await street_of(scope, item)
    for place in _console(places):
        if (place.unit_kind == "grid" and place.unit_id == item.grid_id) or (
                place.unit_kind == "community" and place.unit_id == item.community_id) or (
                place.unit_kind == "street" and place.unit_id == street and street is not None):
            return True
    return False


async def street_of(scope: TenantScope, item: FeedbackItem) -> int | None:
    """The street office of the item's community (None when the item has no community)."""
    if item.community_id is None:
        return None
    community = await scope.get(Community, item.community_id)
    return community.street if community else None


def departments_of(places: Iterable[Place]) -> set[int]:
    """The departments the person works in (with a console role)."""
    return {p.unit_id for p in _console(places) if p.unit_kind == "department" and p.unit_id is not None}


async def called_in(scope: TenantScope, places: Iterable[Place], item_id: int) -> set[int]:
    """Those of the person's departments that were called in on the item."""
    mine = departments_of(places)
    if not mine:
        return set()
    rows = await scope.select(CallIn, CallIn.department_id).where(
        CallIn.item == item_id, CallIn.department_id.is_in(sorted(mine)))
    return {row["department_id"] for row in rows}


async def can_see(scope: TenantScope, places: list[Place], item: FeedbackItem, private: bool) -> bool:
    """Whoever handles the item, and the staff of a department called in on it: they see it
    (a private one too, as the street office asked them to work on it) and act on their
    call-in only, not on the item's own transitions (:func:`can_handle`)."""
    return await can_handle(scope, places, item, private) or bool(await called_in(scope, places, item.id))


async def may_call_in(scope: TenantScope, places: list[Place], item: FeedbackItem, private: bool) -> bool:
    """The street office of the item's community, or a district admin, calls departments in;
    on a private item only when it is theirs to handle."""
    if not await can_handle(scope, places, item, private):
        return False
    street = await street_of(scope, item)
    return any(DISTRICT_ADMIN in place.roles or (
        place.unit_kind == "street" and street is not None and place.unit_id == street) for place in _console(places))
