"""What residents see: the published notices meant for them, pinned and newest first, with
what they have read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import clock
from core.notices import search
from core.notices.audience import Reach, reach_of
from core.notices.tables import DisclosureCategory, Notice, NoticeRead, NoticeStatus
from core.tenancy import TenantScope, fits, page_offset

PAGE_SIZE = 20


@dataclass(frozen=True)
class NoticeSummary:
    root: int
    id: int
    title: str
    category: str
    pinned: bool
    urgent: bool
    version: int
    published_at: datetime
    read: bool


def _for_reach(query, reach: Reach):
    """Only notices whose audience includes someone standing where ``reach`` says."""
    conditions = Notice.audience_kind == "district"
    for kind, ids in (("street", reach.streets), ("community", reach.communities), ("grid", reach.grids)):
        if ids:
            conditions |= (Notice.audience_kind == kind) & Notice.audience_id.is_in(list(ids))
    if reach.roles:
        conditions |= (Notice.audience_kind == "role") & Notice.audience_role.is_in(list(reach.roles))
    return query.where(conditions)


def _published():
    return Notice.status == NoticeStatus.published.value


async def for_person(scope: TenantScope, person_id: int | None, *, page: int = 1,
                     search_for: str = "") -> list[NoticeSummary]:
    """Published notices a person may see (district-wide ones for visitors), pinned first;
    only those containing ``search_for`` when it is given."""
    reach = await reach_of(scope, person_id)
    query = _for_reach(scope.select(
        Notice, Notice.id, Notice.root, Notice.title, Notice.pinned, Notice.urgent, Notice.version,
        Notice.published_at, Notice.category.name).where(_published()), reach)
    query_text = search.clean_query(search_for)
    if query_text:
        query = query.where(search.matching(query_text))
    rows = await query.order_by(Notice.pinned, ascending=False).order_by(Notice.published_at, ascending=False) \
        .limit(PAGE_SIZE).offset(page_offset(page, PAGE_SIZE))
    read = set()
    if person_id and rows:
        read = {row["notice_root"] for row in await scope.select(NoticeRead, NoticeRead.notice_root).where(
            NoticeRead.person == person_id, NoticeRead.notice_root.is_in([row["root"] for row in rows]))}
    return [NoticeSummary(row["root"], row["id"], row["title"], row["category.name"] or "", row["pinned"],
                          row["urgent"], row["version"], row["published_at"], row["root"] in read) for row in rows]


async def public(scope: TenantScope, *, limit: int = 50) -> list[Notice]:
    """The newest published notices for the whole district: what anyone may see (the feed)."""
    return await scope.objects(Notice).where(_published(), Notice.audience_kind == "district").order_by(
        Notice.published_at, ascending=False).limit(limit)


async def visible(scope: TenantScope, person_id: int | None, root: int) -> Notice | None:
    """The current version of notice ``root`` if the person may see it (else None)."""
    if not fits(Notice.root, root):
        return None
    reach = await reach_of(scope, person_id)
    return await _for_reach(scope.objects(Notice).where(Notice.root == root, _published()), reach).first()


async def mark_read(scope: TenantScope, person_id: int, root: int) -> None:
    """Record that the person opened the notice (once; again changes nothing)."""
    await scope.raw(
        NoticeRead,
        "INSERT INTO notices_read (tenant_id, notice_root, person, read_at) VALUES ({tenant}, {}, {}, {}) "
        "ON CONFLICT (notice_root, person) DO NOTHING", root, person_id, clock.now())


async def category_name(scope: TenantScope, category_id: int | None) -> str:
    if category_id is None:
        return ""
    category = await scope.get(DisclosureCategory, category_id)
    return category.name if category else ""



