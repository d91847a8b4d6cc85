"""Who may handle a feedback item, and who may read a private one."""

from __future__ import annotations

from collections.abc import Iterable

from core.accounts.roles import CONSOLE_ROLES, DISTRICT_ADMIN
from core.accounts.services import Place
from core.feedback.tables import FeedbackItem
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
    street = None
    if item.community_id is not None:
        community = await scope.get(Community, item.community_id)
        street = community.street if community else None
    for place in _console(places):
        if (place.unit_kind == "grid" and place.unit_id == item.grid_id) or (
                place.unit_kind == "community" and place.unit_id == item.community_id) or (
                place.unit_kind == "street" and place.unit_id == street and street is not None):
            return True
    return False
