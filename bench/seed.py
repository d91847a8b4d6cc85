"""``gongzhi bench seed``: a province-sized data set on PostgreSQL, fast.

One district is made through the app (its feedback and notice categories are the real ones);
the others copy its categories in SQL. Residents, their memberships, feedback items (with a
timeline entry each) and notices go in with COPY (the district tables' owner lifts Row Level
Security's FORCE for the load and puts it back), sharing one password hash. Sizes are skewed
like a province's: a few large districts, many small (district i gets a weight of
1 / (i + 1) ** 0.8). Everything runs as the database's owner; ids come from each table's own
sequence.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

SKEW = 0.8
PASSWORD = "bench-password-2026"
STREETS, COMMUNITIES_PER_STREET = 4, 5
OPEN = ("submitted", "accepted", "in_progress")
STATES = (("closed", 55), ("resolved", 15), ("in_progress", 10), ("accepted", 8), ("submitted", 12))
TITLES = ("关于做好冬季供暖工作的通知", "社区居委会财务公开", "城市道路改造施工公告", "老旧小区改造意见征集", "垃圾分类宣传周活动安排")
SUGGESTIONS = ("小区路灯不亮，晚上出行不便", "建议增设电动车充电桩", "楼道堆放杂物存在消防隐患", "广场舞噪音扰民", "希望增加社区老年食堂")


@dataclass
class Sizes:
    tenants: int = 1000
    residents_per_tenant: int = 1000
    feedback: int = 1_000_000
    notices: int = 100_000
    skew: float = SKEW  # 0: every district the same size


def shares(total: int, parts: int, skew: float = SKEW) -> list[int]:
    """``total`` split over ``parts`` by weights 1 / (i + 1) ** skew, largest first, the sum
    exactly ``total``."""
    if parts <= 0:
        return []
    weights = [1 / (i + 1) ** skew for i in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


class Progress:
    """A progress bar on one line (or nothing)."""

    def __init__(self, say: Callable[[str], None] | None) -> None:
        self.say = say
        self.started = time.monotonic()

    def step(self, what: str, done: int, total: int) -> None:
        if self.say is None:
            return
        width = 30
        filled = int(width * done / total) if total else width
        self.say(f"\r{what:<22} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,} "
                 f"{time.monotonic() - self.started:6.1f} s")


async def _reserve(connection, sequence: str, count: int) -> int:
    """The first of ``count`` ids taken from a table's sequence at once."""
    last = await connection.fetchval(f"SELECT setval('{sequence}', nextval('{sequence}') + $1 - 1)", count)
    return last - count + 1


async def _copy(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=columns)


# District tables filled with COPY, which PostgreSQL refuses under Row Level Security: their
# owner lifts FORCE for the load (so its own rows go in as the owner's) and puts it back after.
COPIED = ("tenants_street", "tenants_community", "accounts_membership", "accounts_membership_role", "feedback_item",
          "feedback_timeline", "notices_notice")


async def _force(connection, on: bool) -> None:
    for table in COPIED:
        await connection.execute(f'ALTER TABLE "{table}" {"" if on else "NO "}FORCE ROW LEVEL SECURITY')


async def _clone(connection, table: str, template: int, tenant_ids: list[int]) -> None:
    """Copy the template district's rows of ``table`` to each district (new ids)."""
    columns = [row["column_name"] for row in await connection.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND column_name NOT IN "
        "('id', 'tenant_id') ORDER BY ordinal_position", table)]
    listed = ", ".join(f'"{c}"' for c in columns)
    await connection.execute(
        f'INSERT INTO "{table}" (tenant_id, {listed}) SELECT t, {listed} FROM "{table}", unnest($1::int[]) AS t '
        f"WHERE tenant_id = $2", tenant_ids, template)


async def seed(owner_url: str, sizes: Sizes, *, say: Callable[[str], None] | None = print,
               slug_prefix: str = "b", seed_value: int = 2026) -> dict[str, Any]:
    """Build the data set; returns what was made (counts, one resident's phone, the time)."""
    import asyncpg

    from core import clock
    from core.accounts.passwords import hash_password
    from tenants.services import TenantDraft, create_tenant
    from tenants.tables import TenantStatus

    rng = random.Random(seed_value)
    progress = Progress(say)
    now = clock.now()
    password_hash = hash_password(PASSWORD)
    # The template district, through the app: its categories are the ones every district has.
    template = await create_tenant(TenantDraft(slug=f"{slug_prefix}0000", name="基准区", display_name="基准市基准区",
                                               division_code="610402", province="陕西省", city="基准市"),
                                   status=TenantStatus.active)
    connection = await asyncpg.connect(owner_url)
    try:
        await connection.execute("SET app.platform_scope = 'on'")
        await _force(connection, False)
        # Districts.
        count = sizes.tenants - 1
        first = await _reserve(connection, "tenants_tenant_id_seq", max(count, 1))
        tenant_ids = [template.id] + [first + i for i in range(count)]
        await _copy(connection, "tenants_tenant", [
            "id", "slug", "name", "display_name", "division_code", "province", "city", "status", "status_reason",
            "theme_colour", "require_staff_totp", "notify_by_email", "notify_by_sms", "created_at", "status_changed_at",
            "plugins_revision", "logo_key"], [
            (tenant_id, f"{slug_prefix}{i + 1:04d}", f"基准{i + 1}区", f"基准市基准{i + 1}区", "610402", "陕西省", "基准市",
             "active", "", "#c8102e", False, False, False, now, now, 0, "")
            for i, tenant_id in enumerate(tenant_ids[1:])])
        for table in ("feedback_category", "notices_category"):
            await _clone(connection, table, template.id, tenant_ids[1:])
        progress.step("districts", sizes.tenants, sizes.tenants)
        # Streets and communities.
        street_first = await _reserve(connection, "tenants_street_id_seq", STREETS * sizes.tenants)
        streets = [(street_first + i * STREETS + s, tenant_id, f"第{s + 1}街道")
                   for i, tenant_id in enumerate(tenant_ids) for s in range(STREETS)]
        await _copy(connection, "tenants_street", ["id", "tenant_id", "name"], streets)
        community_first = await _reserve(connection, "tenants_community_id_seq",
                                         STREETS * COMMUNITIES_PER_STREET * sizes.tenants)
        communities: dict[int, list[int]] = {}
        rows = []
        for n, (street_id, tenant_id, _name) in enumerate(streets):
            for c in range(COMMUNITIES_PER_STREET):
                community_id = community_first + n * COMMUNITIES_PER_STREET + c
                communities.setdefault(tenant_id, []).append(community_id)
                rows.append((community_id, tenant_id, street_id, f"第{c + 1}社区"))
        await _copy(connection, "tenants_community", ["id", "tenant_id", "street", "name"], rows)
        # Residents: a person, a membership and its role each, in batches.
        per_tenant = shares(sizes.tenants * sizes.residents_per_tenant, sizes.tenants, sizes.skew)
        total = sum(per_tenant)
        person_first = await _reserve(connection, "accounts_person_id_seq", total)
        membership_first = await _reserve(connection, "accounts_membership_id_seq", total)
        role_first = await _reserve(connection, "accounts_membership_role_id_seq", total)
        residents: dict[int, tuple[int, int]] = {}  # tenant → (first person id, count)
        done = 0
        batch = 50_000
        people, memberships, roles = [], [], []
        for tenant_number, (tenant_id, count) in enumerate(zip(tenant_ids, per_tenant)):
            residents[tenant_id] = (person_first + done, count)
            for k in range(count):
                n = done + k
                people.append((person_first + n, f"居民{n}", f"19{tenant_number:04d}{k:05d}", password_hash, "zh-Hans",
                               False, 0, now))
                memberships.append((membership_first + n, tenant_id, person_first + n, "", now))
                roles.append((role_first + n, tenant_id, membership_first + n, "resident"))
            done += count
            if len(people) >= batch or tenant_number == len(tenant_ids) - 1:
                await _copy(connection, "accounts_person", ["id", "display_name", "phone", "password_hash", "language",
                                                            "elderly_mode", "totp_last_step", "created_at"], people)
                await _copy(connection, "accounts_membership", ["id", "tenant_id", "person", "unit_kind",
                                                                "created_at"], memberships)
                await _copy(connection, "accounts_membership_role", ["id", "tenant_id", "membership", "role"], roles)
                people, memberships, roles = [], [], []
                progress.step("residents", done, total)
        # One member of staff per district (a district admin), who reads the overdue queue.
        staff_first = await _reserve(connection, "accounts_person_id_seq", len(tenant_ids))
        staff_membership = await _reserve(connection, "accounts_membership_id_seq", len(tenant_ids))
        staff_role = await _reserve(connection, "accounts_membership_role_id_seq", len(tenant_ids))
        await _copy(connection, "accounts_person", ["id", "display_name", "phone", "password_hash", "language",
                                                    "elderly_mode", "totp_last_step", "created_at"],
                    [(staff_first + n, f"工作人员{n}", f"18{n:04d}00000", password_hash, "zh-Hans", False, 0, now)
                     for n in range(len(tenant_ids))])
        await _copy(connection, "accounts_membership", ["id", "tenant_id", "person", "unit_kind", "created_at"],
                    [(staff_membership + n, tenant_id, staff_first + n, "", now) for n, tenant_id in enumerate(tenant_ids)])
        await _copy(connection, "accounts_membership_role", ["id", "tenant_id", "membership", "role"],
                    [(staff_role + n, tenant_id, staff_membership + n, "district_admin")
                     for n, tenant_id in enumerate(tenant_ids)])
        if say:
            say("\n")
        # Feedback: items by district size, in the district's public categories, of the last year.
        categories = {}
        for row in await connection.fetch(
                "SELECT tenant_id, id, accept_hours, resolve_hours FROM feedback_category WHERE NOT private "
                "AND enabled AND tenant_id = ANY($1::int[])", tenant_ids):
            categories.setdefault(row["tenant_id"], []).append((row["id"], row["accept_hours"], row["resolve_hours"]))
        item_counts = shares(sizes.feedback, sizes.tenants, sizes.skew)
        item_first = await _reserve(connection, "feedback_item_id_seq", sizes.feedback)
        timeline_first = await _reserve(connection, "feedback_timeline_id_seq", sizes.feedback)
        year = clock.local(now).year
        states = [state for state, weight in STATES for _ in range(weight)]
        done = 0
        items, timeline, counters = [], [], []
        for tenant_number, (tenant_id, count) in enumerate(zip(tenant_ids, item_counts)):
            first_person, people_count = residents[tenant_id]
            prefix = "BQ"
            for k in range(count):
                n = done + k
                category_id, accept_hours, resolve_hours = rng.choice(categories[tenant_id])
                state = rng.choice(states)
                # What is still open was mostly sent in the last days (a district answers the rest);
                # what is done is spread over the year.
                window = 3 * 24 * 60 if state in OPEN else 365 * 24 * 60
                created = now - timedelta(minutes=rng.randrange(1, window))
                accept_due, resolve_due = created + timedelta(hours=accept_hours), created + timedelta(hours=resolve_hours)
                accepted = created + timedelta(hours=1) if state != "submitted" else None
                resolved = created + timedelta(hours=24) if state in ("resolved", "closed") else None
                items.append((
                    item_first + n, tenant_id, f"{prefix}-{year}-{tenant_number:04d}{k:06d}", category_id,
                    first_person + rng.randrange(people_count or 1), False, rng.choice(SUGGESTIONS), "",
                    rng.choice(communities[tenant_id]), "", True, state, "community",
                    rng.choice(communities[tenant_id]), 0, accept_due, resolve_due, accepted, resolved,
                    resolved if state == "closed" else None, rng.randint(3, 5) if state == "closed" else None, "", 0,
                    "app", secrets.token_hex(8), "", 0, created, created))
                timeline.append((timeline_first + n, tenant_id, item_first + n, created, None, "submitted", "",
                                 "submitted", "community", None, "", False))
            counters.append((tenant_id, year, count + 1_000_000))
            done += count
            if len(items) >= batch or tenant_number == len(tenant_ids) - 1:
                await _copy(connection, "feedback_item", [
                    "id", "tenant_id", "tracking_number", "category", "submitter", "resident_agreed", "description",
                    "sealed_description", "community_id", "address", "public", "state", "party_type", "party_id",
                    "escalation_level", "accept_due", "resolve_due", "accepted_at", "resolved_at", "closed_at",
                    "rating", "rating_comment", "reopened", "source", "idempotency_key", "body_hash", "revision",
                    "created_at", "updated_at"], items)
                await _copy(connection, "feedback_timeline", [
                    "id", "tenant_id", "item", "at", "actor", "action", "from_state", "to_state", "party_type",
                    "party_id", "note", "sealed"], timeline)
                items, timeline = [], []
                progress.step("feedback items", done, sizes.feedback)
        # New submissions number after the seeded ones (which use the 7th digit and up).
        await connection.executemany(
            "INSERT INTO feedback_counter (tenant_id, year, last) VALUES ($1, $2, $3) "
            "ON CONFLICT (tenant_id, year) DO UPDATE SET last = EXCLUDED.last", counters)
        if say:
            say("\n")
        # Notices, published, by district size.
        from core.notices import search

        notice_categories = {}
        for row in await connection.fetch("SELECT tenant_id, id FROM notices_category WHERE tenant_id = ANY($1::int[])",
                                          tenant_ids):
            notice_categories.setdefault(row["tenant_id"], []).append(row["id"])
        notice_counts = shares(sizes.notices, sizes.tenants, sizes.skew)
        notice_first = await _reserve(connection, "notices_notice_id_seq", max(sizes.notices, 1))
        terms = {title: search.terms(title, f"{title}。详情请见正文。") for title in TITLES}
        done, notices = 0, []
        for tenant_number, (tenant_id, count) in enumerate(zip(tenant_ids, notice_counts)):
            first_person, _people = residents[tenant_id]
            for k in range(count):
                n = done + k
                title = rng.choice(TITLES)
                published = now - timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
                notices.append((notice_first + n, tenant_id, notice_first + n, 1,
                                rng.choice(notice_categories[tenant_id]), title, f"{title}。详情请见正文。", "district",
                                "", False, False, published, "published", 1, first_person, published, "",
                                terms[title], published, published))
            done += count
            if len(notices) >= batch or tenant_number == len(tenant_ids) - 1:
                await _copy(connection, "notices_notice", [
                    "id", "tenant_id", "root", "version", "category", "title", "body", "audience_kind",
                    "audience_role", "pinned", "urgent", "publish_at", "status", "revision", "author", "published_at",
                    "withdrawn_reason", "search_terms", "created_at", "updated_at"], notices)
                notices = []
                progress.step("notices", done, sizes.notices)
        if say:
            say("\n")
        await connection.execute("ANALYZE")
    finally:
        try:
            await _force(connection, True)
        finally:
            await connection.close()
    largest = tenant_ids[0]
    return {"tenants": sizes.tenants, "residents": total, "feedback": sizes.feedback, "notices": sizes.notices,
            "largest": f"{slug_prefix}0000", "resident_phone": "19000000000", "staff_phone": "18000000000",
            "password": PASSWORD,
            "seconds": round(time.monotonic() - progress.started, 1), "template_id": largest}
