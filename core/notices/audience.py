"""Who a notice is for: the whole district, a street, a community, a grid, or a role."""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts.roles import RESIDENT, TENANT_ROLES
from core.accounts.tables import Membership, MembershipRole
from core.notifications.audience import Audience
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street

KINDS = ("district", "street", "community", "grid", "role")
UNIT_TABLES = {"street": Street, "community": Community, "grid": Grid}


async def recipients(scope: TenantScope, kind: str, unit_id: int | None, role: str) -> Audience:
    """The residents a notice reaches (for ``role``: the holders of that role)."""
    if kind == "role":
        return Audience.district_members(roles=(role,))
    if kind == "district":
        return Audience.district_members(roles=(RESIDENT,))
    units: list[tuple[str, int]] = []
    if kind == "grid":
        units.append(("grid", unit_id))
    else:
        if kind == "street":
            communities = [row["id"] for row in await scope.select(Community, Community.id).where(
                Community.street == unit_id)]
        else:
            communities = [unit_id]
        units += [("community", community) for community in communities]
        if communities:
            units += [("grid", row["id"]) for row in await scope.select(Grid, Grid.id).where(
                Grid.community.is_in(communities))]
    if not units:  # a street with no communities yet reaches nobody (not everybody)
        return Audience.of()
    return Audience.district_members(roles=(RESIDENT,), units=tuple(units))


@dataclass(frozen=True)
class Reach:
    """Where a person stands in a district, for deciding which notices they see."""

    streets: frozenset[int]
    communities: frozenset[int]
    grids: frozenset[int]
    roles: frozenset[str]


NOWHERE = Reach(frozenset(), frozenset(), frozenset(), frozenset())


async def reach_of(scope: TenantScope, person_id: int | None) -> Reach:
    """Where the person stands (a visitor, ``None``, stands nowhere: district-wide notices only)."""
    if person_id is None:
        return NOWHERE
    memberships = await scope.select(Membership, Membership.id, Membership.unit_kind, Membership.unit_id).where(
        Membership.person == person_id)
    roles = frozenset(row["role"] for row in await scope.select(MembershipRole, MembershipRole.role).where(
        MembershipRole.membership.is_in([m["id"] for m in memberships]))) if memberships else frozenset()
    grids = {m["unit_id"] for m in memberships if m["unit_kind"] == "grid"}
    communities = {m["unit_id"] for m in memberships if m["unit_kind"] == "community"}
    streets = {m["unit_id"] for m in memberships if m["unit_kind"] == "street"}
    if grids:
        communities |= {row["community"] for row in await scope.select(Grid, Grid.community).where(
            Grid.id.is_in(list(grids)))}
    if communities:
        streets |= {row["street"] for row in await scope.select(Community, Community.street).where(
            Community.id.is_in(list(communities)))}
    return Reach(frozenset(streets), frozenset(communities), frozenset(grids), roles)


def role_choices() -> dict[str, str]:
    return dict(TENANT_ROLES)
