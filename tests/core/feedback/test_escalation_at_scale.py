"""The escalation job's reads use the partial indexes at a million items (PostgreSQL tier,
seeded with generate_series)."""

import asyncpg
import pytest

from core import clock
from core.feedback import workflow
from tests.seeding import admin_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ITEMS = 1_000_000


async def _seed(tenant_id: int, category_id: int, person_id: int) -> None:
    connection = await asyncpg.connect(admin_url())
    try:
        # Nearly all closed long ago; one in ten thousand still open, some of them overdue.
        await connection.execute(
            """
            INSERT INTO feedback_item (tenant_id, tracking_number, category, submitter, entered_by, resident_agreed,
                description, sealed_description, community_id, grid_id, address, latitude, longitude, public, state,
                party_type, party_id, escalation_level, accept_due, resolve_due, accepted_at, resolved_at, closed_at,
                rating, rating_comment, reopened, idempotency_key, body_hash, revision, created_at, updated_at)
            SELECT $1, 'QD-2025-' || lpad(i::text, 7, '0'), $2, $3, NULL, false, '楼道堆放杂物', '', NULL, NULL, '',
                   NULL, NULL, false,
                   CASE WHEN i % 20000 = 0 THEN 'submitted' WHEN i % 10000 = 0 THEN 'in_progress' ELSE 'closed' END,
                   'grid', NULL, 0, now() - interval '1 day' + make_interval(secs => i % 172800),
                   now() + make_interval(secs => i % 172800) - interval '1 day', NULL, NULL, NULL, 5, '', 0,
                   'seed-' || i, '', 1, now() - interval '400 days', now()
            FROM generate_series(1, $4) AS i
            """, tenant_id, category_id, person_id, ITEMS)
        await connection.execute("ANALYZE feedback_item")
    finally:
        await connection.close()


async def test_the_escalation_reads_use_an_index_at_a_million_items(place):
    scope = place["scope"]
    await _seed(scope.tenant_id, place["categories"]["sanitation"].id, place["resident"].id)
    connection = await asyncpg.connect(admin_url())
    try:
        for query, index in zip(workflow.overdue_queries(scope, clock.now(), 500),
                                ("feedback_item_accept_due", "feedback_item_resolve_due")):
            sql, args = query.querystrings[0].compile_string(engine_type="postgres")
            plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {sql}", *args))
            assert index in plan, plan
            assert "Seq Scan on feedback_item" not in plan, plan
    finally:
        await connection.close()
    assert await workflow.escalate_overdue(scope, "qindu") > 0
