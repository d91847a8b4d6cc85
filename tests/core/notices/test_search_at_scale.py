"""Searching 100,000 notices on PostgreSQL uses the index over their two-character pieces
(seeded with generate_series, PostgreSQL tier)."""

import asyncpg
import pytest

from core.notices import reading, search
from core.notices.tables import Notice
from tests.seeding import admin_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

NOTICES = 100_000


async def _seed(tenant_id: int, author_id: int) -> None:
    connection = await asyncpg.connect(admin_url())
    try:
        # One notice in a thousand is a financial disclosure; the rest are about other things.
        await connection.execute(
            """
            INSERT INTO notices_notice (tenant_id, root, version, category, title, body, audience_kind, audience_id,
                audience_role, pinned, urgent, publish_at, expire_at, status, revision, author, reviewer,
                published_at, withdrawn_reason, search_terms, created_at, updated_at)
            SELECT $1, NULL, 1, NULL, t.title, t.body, 'district', NULL, '', false, false, NULL, NULL, 'published', 1,
                   $2, $2, now() - make_interval(mins => i), '',
                   ARRAY(SELECT DISTINCT substr(lower(t.title || t.body), k, 2)
                         FROM generate_series(1, char_length(t.title || t.body) - 1) AS k),
                   now(), now()
            FROM generate_series(1, $3) AS i,
                 LATERAL (SELECT CASE WHEN i % 1000 = 0 THEN '第' || i || '号财务公开' ELSE '第' || i || '号社区活动通知' END
                                 AS title,
                                 CASE WHEN i % 1000 = 0 THEN '收支明细见附件' ELSE '欢迎居民踊跃参加' END AS body) AS t
            """, tenant_id, author_id, NOTICES)
        await connection.execute("UPDATE notices_notice SET root = id WHERE root IS NULL")
        await connection.execute("ANALYZE notices_notice")
    finally:
        await connection.close()


async def test_searching_100000_notices_reads_the_index(district):
    scope = district["scope"]
    await _seed(district["scope"].tenant_id, district["author"].id)
    found = await reading.for_person(scope, district["south_resident"].id, search_for="财务")
    assert len(found) == reading.PAGE_SIZE and all("财务" in n.title for n in found)
    # The statement the page runs, explained as the server plans it.
    query = scope.select(Notice, Notice.id).where(Notice.status == "published",
                                                  search.matching(search.clean_query("财务")))
    connection = await asyncpg.connect(admin_url())
    try:
        sql, args = query.querystrings[0].compile_string(engine_type="postgres")
        plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {sql}", *args))
    finally:
        await connection.close()
    assert "notices_notice_search_terms" in plan, plan
    assert "Seq Scan on notices_notice" not in plan, plan
