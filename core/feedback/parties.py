"""Responsible parties: who holds them, and where an item goes when it escalates."""

from __future__ import annotations

from collections.abc import Iterable

from core.accounts.roles import CONSOLE_ROLES, DISTRICT_ADMIN
from core.accounts.tables import MembershipRole
from core.feedback import registry
from core.tenancy import TenantScope
from tenants.tables import Community, Grid


async def members(scope: TenantScope, party_type: str, party_id: int | None) -> list[int]:
    """The staff of a party: console roles held in that unit; district supervision is the
    district's admins."""
    return (await members_of(scope, [(party_type, party_id)]))[(party_type, party_id)]


async def members_of(scope: TenantScope, wanted: Iterable[tuple[str, int | None]]
                     ) -> dict[tuple[str, int | None], list[int]]:
    """The staff of each of the ``wanted`` (party type, party id), as :func:`members` gives
    them, read in one query."""
    wanted = set(wanted)
    if not wanted:
        return {}
    rows = await scope.select(MembershipRole, MembershipRole.role, MembershipRole.membership.person,
                              MembershipRole.membership.unit_kind, MembershipRole.membership.unit_id).where(
        MembershipRole.role.is_in(sorted(CONSOLE_ROLES)))
    admins = sorted({r["membership.person"] for r in rows if r["role"] == DISTRICT_ADMIN})
    by_unit: dict[tuple[str, int | None], set[int]] = {}
    for r in rows:
        by_unit.setdefault((r["membership.unit_kind"], r["membership.unit_id"]), set()).add(r["membership.person"])
    return {party: admins if party[0] == "supervision" else sorted(by_unit.get(party, ())) for party in wanted}


Place = tuple[str, int | None, int | None]  # (party type, party id, the item's community)


async def next_up(scope: TenantScope, party_type: str, party_id: int | None, *,
                  community_id: int | None = None) -> tuple[str, int | None] | None:
    """The party one level up the escalation chain (None at the top). A plugin's party (a
    property firm…) climbs to the community, or street, of the item's own place
    (``community_id``)."""
    place = (party_type, party_id, community_id)
    return (await next_up_of(scope, [place]))[place]


async def next_up_of(scope: TenantScope, places: Iterable[Place]) -> dict[Place, tuple[str, int | None] | None]:
    """:func:`next_up` of each (party type, party id, community id), with at most two
    queries (the grids' communities, the communities' streets) however many there are."""
    places = set(places)
    grids, communities = set(), set()
    for party_type, party_id, community_id in places:
        upper = registry.PARTY_TYPES[party_type].escalates_to
        if upper is None:
            continue
        if party_type == "grid" and party_id is not None:
            grids.add(party_id)
        elif party_type == "community" and party_id is not None:
            communities.add(party_id)
        elif upper == "street" and community_id is not None:
            communities.add(community_id)
    grid_community = {row["id"]: row["community"] for row in await scope.select(Grid, Grid.id, Grid.community).where(
        Grid.id.is_in(sorted(grids)))} if grids else {}
    community_street = {row["id"]: row["street"] for row in await scope.select(
        Community, Community.id, Community.street).where(Community.id.is_in(sorted(communities)))} \
        if communities else {}
    found: dict[Place, tuple[str, int | None] | None] = {}
    for place in places:
        party_type, party_id, community_id = place
        upper = registry.PARTY_TYPES[party_type].escalates_to
        if upper is None:
            found[place] = None
        elif party_type == "grid" and party_id is not None:
            found[place] = (upper, grid_community.get(party_id))
        elif party_type == "community" and party_id is not None:
            found[place] = (upper, community_street.get(party_id))
        elif upper == "community" and community_id is not None:
            found[place] = (upper, community_id)
        elif upper == "street" and community_id is not None:
            found[place] = (upper, community_street.get(community_id))
        else:
            found[place] = (upper, None)
    return found
