"""Responsible parties: who holds them, and where an item goes when it escalates."""

from __future__ import annotations

from core.accounts.roles import CONSOLE_ROLES, DISTRICT_ADMIN
from core.accounts.tables import MembershipRole
from core.feedback import registry
from core.tenancy import TenantScope
from tenants.tables import Community, Grid


async def members(scope: TenantScope, party_type: str, party_id: int | None) -> list[int]:
    """The staff of a party: console roles held in that unit; district supervision is the
    district's admins."""
    rows = await scope.select(MembershipRole, MembershipRole.role, MembershipRole.membership.person,
                              MembershipRole.membership.unit_kind, MembershipRole.membership.unit_id).where(
        MembershipRole.role.is_in(sorted(CONSOLE_ROLES)))
    if party_type == "supervision":
        return sorted({r["membership.person"] for r in rows if r["role"] == DISTRICT_ADMIN})
    return sorted({r["membership.person"] for r in rows
                   if r["membership.unit_kind"] == party_type and r["membership.unit_id"] == party_id})


async def next_up(scope: TenantScope, party_type: str, party_id: int | None, *,
                  community_id: int | None = None) -> tuple[str, int | None] | None:
    """The party one level up the escalation chain (None at the top). A plugin's party (a
    property firm…) climbs to the community, or street, of the item's own place
    (``community_id``)."""
    upper = registry.PARTY_TYPES[party_type].escalates_to
    if upper is None:
        return None
    if party_type == "grid" and party_id is not None:
        grid = await scope.get(Grid, party_id)
        return upper, grid.community if grid else None
    if party_type == "community" and party_id is not None:
        community = await scope.get(Community, party_id)
        return upper, community.street if community else None
    if upper == "community" and community_id is not None:
        return upper, community_id
    if upper == "street" and community_id is not None:
        community = await scope.get(Community, community_id)
        return upper, community.street if community else None
    return upper, None
