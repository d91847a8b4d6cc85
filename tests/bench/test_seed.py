"""The benchmark's data set, small: the counts asked for, skewed; a seeded resident signs in and
sees their district's home page; a new suggestion gets a number after the seeded ones; the
districts are apart as any others are."""

from __future__ import annotations

import os

import pytest

from bench import load
from bench.seed import PASSWORD, Sizes, seed, shares
from core.feedback.tables import FeedbackItem
from core.notices.tables import Notice
from core.tenancy import TenantScope
from tenants.tables import Tenant
from tests.http import csrf_token, http_client

pytestmark = pytest.mark.postgres


def test_shares_are_skewed_and_sum_exactly():
    parts = shares(1000, 10)
    assert sum(parts) == 1000 and parts == sorted(parts, reverse=True) and parts[0] > 2 * parts[-1]
    assert sum(shares(3, 5)) == 3 and shares(0, 3) == [0, 0, 0]
    assert shares(1000, 10, skew=0) == [100] * 10  # the scaling run's districts of one size


async def test_a_small_province_is_seeded_and_used(app, sign_in, database):
    made = await seed(os.environ["GONGZHI_DATABASE_OWNER_URL"], Sizes(5, 40, 300, 25), say=None)
    assert (made["residents"], made["feedback"], made["notices"]) == (200, 300, 25)
    tenants = await Tenant.select(Tenant.id, Tenant.slug).order_by(Tenant.id)
    assert [t["slug"] for t in tenants] == ["b0000", "b0001", "b0002", "b0003", "b0004"]
    largest = TenantScope(tenants[0]["id"])
    counts = [await TenantScope(t["id"]).count(FeedbackItem) for t in tenants]
    assert sum(counts) == 300 and counts[0] > counts[-1]
    assert sum([await TenantScope(t["id"]).count(Notice) for t in tenants]) == 25
    details = await load.plan(os.environ["GONGZHI_DATABASE_OWNER_URL"], "b0000", PASSWORD)
    assert details["residents"][0] == made["resident_phone"] and details["staff"] == "18000000000"
    assert details["category"] == await _a_category(largest) and details["notice"] is not None
    async with http_client(app) as client:
        await sign_in(client, made["resident_phone"], PASSWORD, login_path="/t/b0000/login")
        home = await client.get("/t/b0000/")
        assert home.status_code == 200
        form = await client.get("/t/b0000/feedback/new")
        assert form.status_code == 200
        before = await largest.count(FeedbackItem)
        sent = await client.post("/t/b0000/feedback/new", data={
            "_csrf_token": csrf_token(form.text), "category": str((await _a_category(largest))),
            "description": "小区东门路灯坏了，晚上很黑", "idempotency_key": "bench-seed-test-0001"})
        assert sent.status_code in (200, 303), sent.text[:500]
    assert await largest.count(FeedbackItem) == before + 1
    newest = await largest.select(FeedbackItem, FeedbackItem.tracking_number).order_by(
        FeedbackItem.id, ascending=False).first()
    assert int(newest["tracking_number"].rsplit("-", 1)[1]) == counts[0] + 1_000_001


async def _a_category(scope: TenantScope) -> int:
    from core.feedback.tables import FeedbackCategory

    row = await scope.select(FeedbackCategory, FeedbackCategory.id).where(FeedbackCategory.private == False,  # noqa: E712
                                                        FeedbackCategory.enabled == True).order_by(  # noqa: E712
        FeedbackCategory.id).first()
    return row["id"]
