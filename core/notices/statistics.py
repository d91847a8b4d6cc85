"""How many of a notice's residents have read it, in all and per community."""

from __future__ import annotations

from dataclasses import dataclass

from core.notices.tables import Notice, NoticeRead
from core.tenancy import TenantScope
from tenants.tables import Community, Grid


@dataclass(frozen=True)
class ReadRate:
    label: str
    readers: int
    members: int

    @property
    def percent(self) -> int:
        return round(100 * self.readers / self.members) if self.members else 0


async def read_rates(scope: TenantScope, notice: Notice) -> tuple[ReadRate | None, list[ReadRate]]:
    """The notice's read rate among the residents it is for, and per community (none for a
    notice addressed to a role)."""
    if notice.audience_kind == "role":
        readers = await scope.count(NoticeRead).where(NoticeRead.notice_root == notice.root)
        return ReadRate("", readers, 0), []
    rows = await scope.raw(
        NoticeRead,
        "SELECT COALESCE(g.community, CASE WHEN m.unit_kind = 'community' THEN m.unit_id END) AS community, "
        "count(DISTINCT m.person) AS members, count(DISTINCT r.person) AS readers "
        "FROM accounts_membership m "
        "JOIN accounts_membership_role mr ON mr.membership = m.id AND mr.role = 'resident' "
        "AND mr.tenant_id = {tenant} "
        "LEFT JOIN tenants_grid g ON m.unit_kind = 'grid' AND g.id = m.unit_id AND g.tenant_id = {tenant} "
        "LEFT JOIN notices_read r ON r.person = m.person AND r.notice_root = {} AND r.tenant_id = {tenant} "
        "WHERE m.tenant_id = {tenant} "
        + ("AND m.unit_kind = 'grid' AND m.unit_id = {} " if notice.audience_kind == "grid" else "")
        + "GROUP BY 1",
        *([notice.root, notice.audience_id] if notice.audience_kind == "grid" else [notice.root]))
    communities = {c["id"]: c for c in await scope.select(Community, Community.id, Community.name, Community.street)}
    wanted = set(communities)
    if notice.audience_kind == "street":
        wanted = {cid for cid, c in communities.items() if c["street"] == notice.audience_id}
    elif notice.audience_kind == "community":
        wanted = {notice.audience_id}
    elif notice.audience_kind == "grid":
        grid = await scope.get(Grid, notice.audience_id)
        wanted = {grid.community} if grid else set()
    per_community = [ReadRate(communities[row["community"]]["name"], row["readers"], row["members"])
                     for row in rows if row["community"] in wanted]
    if notice.audience_kind == "district":
        unplaced = [row for row in rows if row["community"] is None]
        per_community += [ReadRate("", row["readers"], row["members"]) for row in unplaced]
    per_community.sort(key=lambda rate: (-rate.members, rate.label))
    total = ReadRate("", sum(r.readers for r in per_community), sum(r.members for r in per_community))
    return total, [rate for rate in per_community if rate.label]
