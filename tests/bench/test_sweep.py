"""``gongzhi bench sweep`` on a small seeded province: the open items put past their deadline
are all escalated, once, by the job run in every district; the inboxes fill after; a chosen
number put past their deadline is what the next run escalates. (What it measures is the
command's business; here only that it measures the right thing.)"""

from __future__ import annotations

import os

import pytest

from bench import sweep
from bench.seed import Sizes, seed
from core.config import Settings
from core.feedback.tables import FeedbackItem, TimelineEntry
from core.notifications.tables import Notification
from core.tenancy import TenantScope
from tenants.tables import Tenant

pytestmark = pytest.mark.postgres


async def _count(table, *where):
    total = 0
    for row in await Tenant.select(Tenant.id):
        query = TenantScope(row["id"]).count(table)
        total += await (query.where(*where) if where else query)
    return total


async def test_every_overdue_item_is_escalated_once_and_the_inboxes_fill(database):
    owner = os.environ["GONGZHI_DATABASE_OWNER_URL"]
    await seed(owner, Sizes(4, 20, 400, 0), say=None)
    made = await sweep.make_overdue(owner, None, say=None)
    assert made["open"] == made["overdue"] > 0 and made["at_the_top"] == 0

    result = await sweep.sweep(Settings.from_env(), concurrency=2)
    assert (result["districts"], result["escalated"]) == (4, made["open"])
    assert result["jobs_run"] > 0 and result["job_failures"] == 0
    assert await _count(FeedbackItem, FeedbackItem.escalation_level == 1) == made["open"]
    assert await _count(TimelineEntry, TimelineEntry.action == "escalate") == made["open"]
    assert await _count(Notification, Notification.fanned_out_at.is_null()) == 0

    made = await sweep.make_overdue(owner, 5, start="street", say=None)
    assert made["overdue"] == 5
    result = await sweep.sweep(Settings.from_env(), fan_out=False)
    assert result["escalated"] == 5 and "jobs_run" not in result
    assert await _count(FeedbackItem, FeedbackItem.party_type == "supervision") == 5
