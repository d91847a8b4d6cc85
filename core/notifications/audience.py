"""Who a notification goes to, read in batches of person ids in ascending order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.accounts.tables import Membership
from core.tenancy import TenantScope


@dataclass(frozen=True)
class Audience:
    """Either named persons, or the district's members (optionally only those holding one of
    ``roles``, only in one unit)."""

    persons: tuple[int, ...] = ()
    members: bool = False
    roles: tuple[str, ...] = ()
    unit_kind: str = ""
    unit_id: int | None = None
    # Any of these (kind, id) units; empty: anywhere in the district.
    units: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, *person_ids: int) -> "Audience":
        return cls(persons=tuple(sorted(set(person_ids))))

    @classmethod
    def district_members(cls, *, roles: tuple[str, ...] = (), unit_kind: str = "",
                         unit_id: int | None = None, units: tuple[tuple[str, int], ...] = ()) -> "Audience":
        return cls(members=True, roles=tuple(roles), unit_kind=unit_kind, unit_id=unit_id,
                   units=tuple((kind, int(unit)) for kind, unit in units))

    def to_json(self) -> str:
        if not self.members:
            return json.dumps({"persons": list(self.persons)})
        return json.dumps({"members": {"roles": list(self.roles), "unit_kind": self.unit_kind,
                                       "unit_id": self.unit_id, "units": [list(u) for u in self.units]}})

    @classmethod
    def from_json(cls, text: str) -> "Audience":
        data: dict[str, Any] = json.loads(text)
        if "members" in data:
            members = data["members"]
            return cls(members=True, roles=tuple(members.get("roles", ())), unit_kind=members.get("unit_kind", ""),
                       unit_id=members.get("unit_id"),
                       units=tuple((kind, unit) for kind, unit in members.get("units", ())))
        return cls(persons=tuple(data.get("persons", ())))


async def next_batch(scope: TenantScope, audience: Audience, *, after: int, limit: int) -> list[int]:
    """Up to ``limit`` recipients with ids above ``after``, ascending."""
    if not audience.members:
        return [person for person in audience.persons if person > after][:limit]
    # Walks the (tenant_id, person) index in order, checking each membership's roles by
    # its own index: the cost of a batch does not grow with the size of the district.
    conditions = ["m.tenant_id = {tenant}", "m.person > {}"]
    args: list[Any] = [after]
    if audience.roles:
        conditions.append(
            "EXISTS (SELECT 1 FROM accounts_membership_role r WHERE r.membership = m.id AND r.tenant_id = {tenant} "
            "AND r.role IN (" + ", ".join("{}" for _ in audience.roles) + "))")
        args.extend(audience.roles)
    if audience.members and audience.units:
        by_kind: dict[str, list[int]] = {}
        for kind, unit in audience.units:
            by_kind.setdefault(kind, []).append(unit)
        alternatives = []
        for kind, ids in sorted(by_kind.items()):
            alternatives.append("(m.unit_kind = {} AND m.unit_id IN (" + ", ".join("{}" for _ in ids) + "))")
            args.extend([kind, *ids])
        conditions.append("(" + " OR ".join(alternatives) + ")")
    if audience.unit_kind:
        conditions.append("m.unit_kind = {}")
        args.append(audience.unit_kind)
        if audience.unit_id is not None:
            conditions.append("m.unit_id = {}")
            args.append(audience.unit_id)
    rows = await scope.raw(
        Membership,
        "SELECT DISTINCT m.person AS person FROM accounts_membership m "
        f"WHERE {' AND '.join(conditions)} ORDER BY m.person LIMIT {int(limit)}",
        *args,
    )
    return [row["person"] for row in rows]
