"""Is each community disclosing what the catalogue says, as often as it says?

A category with a frequency (monthly, quarterly, …) is met for a community when a notice
of that category reaching the community (addressed to it, to its street or to the whole
district) was published within the period; "when it happens" categories are never
overdue. A daily job reminds the responsible staff of what is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core import clock
from core.accounts.tables import MembershipRole
from core.i18n import Message
from core.notices.tables import DisclosureCategory, Frequency, Notice, NoticeStatus
from core.notifications.audience import Audience
from core.notifications.services import notify
from core.tenancy import TenantScope
from tenants.tables import Community, Street

PERIODS = {
    Frequency.monthly.value: timedelta(days=31),
    Frequency.quarterly.value: timedelta(days=92),
    Frequency.half_yearly.value: timedelta(days=183),
    Frequency.yearly.value: timedelta(days=366),
}


@dataclass(frozen=True)
class Cell:
    category_id: int
    category: str
    frequency: str
    last_published: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CommunityCompliance:
    community_id: int
    community: str
    street: str
    cells: list[Cell]

    @property
    def overdue(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.overdue]


async def compliance(scope: TenantScope) -> list[CommunityCompliance]:
    now = clock.now()
    categories = await scope.objects(DisclosureCategory).order_by(DisclosureCategory.position)
    streets = {row["id"]: row["name"] for row in await scope.select(Street, Street.id, Street.name)}
    communities = await scope.select(Community, Community.id, Community.name, Community.street).order_by(Community.id)
    published = await scope.select(Notice, Notice.category, Notice.audience_kind, Notice.audience_id,
                                   Notice.published_at).where(
        Notice.status.is_in([NoticeStatus.published.value, NoticeStatus.corrected.value,
                             NoticeStatus.expired.value]),
        Notice.category.is_not_null())
    report = []
    for community in communities:
        cells = []
        for category in categories:
            times = [row["published_at"] for row in published if row["category"] == category.id and (
                row["audience_kind"] == "district"
                or (row["audience_kind"] == "street" and row["audience_id"] == community["street"])
                or (row["audience_kind"] == "community" and row["audience_id"] == community["id"]))]
            last = max(times, default=None)
            period = PERIODS.get(category.frequency)
            overdue = period is not None and (last is None or now - last > period)
            cells.append(Cell(category.id, category.name, category.frequency, last, overdue))
        report.append(CommunityCompliance(community["id"], community["name"], streets.get(community["street"], ""),
                                          cells))
    return report


async def _responsible(scope: TenantScope, role: str, community_id: int) -> list[int]:
    """Holders of ``role`` serving the community; the district-wide ones if it has none."""
    holders = await scope.select(MembershipRole, MembershipRole.membership.person, MembershipRole.membership.unit_kind,
                                 MembershipRole.membership.unit_id).where(MembershipRole.role == role)
    local = [h["membership.person"] for h in holders
             if h["membership.unit_kind"] == "community" and h["membership.unit_id"] == community_id]
    if local:
        return sorted(set(local))
    return sorted({h["membership.person"] for h in holders if not h["membership.unit_kind"]})


async def remind_overdue(scope: TenantScope, slug: str) -> int:
    """Tell the responsible staff of each overdue category, per community; returns how many reminders."""
    categories = {c.id: c for c in await scope.objects(DisclosureCategory)}
    sent = 0
    for community in await compliance(scope):
        for cell in community.overdue:
            people = await _responsible(scope, categories[cell.category_id].responsible_role, community.community_id)
            if not people:
                continue
            await notify(scope, Audience.of(*people), kind="disclosure_overdue",
                         title=Message("%(category)s of %(community)s is overdue",
                                       {"category": cell.category, "community": community.community}),
                         link=f"/t/{slug}/console/disclosure")
            sent += 1
    return sent



