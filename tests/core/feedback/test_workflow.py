"""The loop: accept, resolve, rate or reopen, with deadlines that escalate an item one level
at a time, a timeline the resident sees, and a 409 for whoever acts on a stale item."""

from datetime import timedelta

import pytest

from core import clock
from core.config import Settings
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.feedback import services, workflow
from core.feedback.tables import FeedbackItem
from core.notifications import services as notifications

SETTINGS = Settings.from_env()


async def _item(place, item_id):
    return await place["scope"].get(FeedbackItem, item_id)


async def _titles(place, person):
    items, _ = await notifications.inbox(place["scope"], person.id)
    return [item.title for item in items]


async def test_the_whole_loop_with_a_reopen(place, submit, jobs):
    scope = place["scope"]
    item, _ = await submit()
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.start(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=3,
                           what_was_done="已清理楼道杂物。", settings=SETTINGS)
    await workflow.reopen(scope, "qindu", item.id, person_id=place["resident"].id, reason="还有一半没清。", settings=SETTINGS)
    row = await _item(place, item.id)
    assert row.state == "reopened" and row.reopened == 1
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=row.revision,
                           what_was_done="已全部清理。", settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="5", comment="满意",
                        settings=SETTINGS)
    row = await _item(place, item.id)
    assert (row.state, row.rating, row.rating_comment) == ("closed", 5, "满意") and row.closed_at is not None
    moves = [(e.action, e.from_state, e.to_state) for e in await services.timeline(scope, item.id)]
    assert moves == [("submit", "", "submitted"), ("accept", "submitted", "accepted"),
                     ("start", "accepted", "in_progress"), ("resolve", "in_progress", "resolved"),
                     ("reopen", "resolved", "reopened"), ("resolve", "reopened", "resolved"),
                     ("rate", "resolved", "closed")]
    await jobs.run_due()
    told = await _titles(place, place["resident"])
    assert f"{row.tracking_number}已受理。" in told and f"{row.tracking_number}已办结，请对结果进行评价。" in told
    assert f"{row.tracking_number}需要您办理。" in await _titles(place, place["grid_worker"])  # the reopen


async def test_a_stale_revision_and_a_wrong_state_are_conflicts(place, submit):
    scope = place["scope"]
    item, _ = await submit()
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    with pytest.raises(Conflict):  # a colleague acting on the page they loaded before
        await workflow.reject(scope, "qindu", item.id, actor_id=place["community_staff"].id, revision=1,
                              reason="重复", settings=SETTINGS)
    with pytest.raises(Conflict):  # accepted already: it cannot be accepted again
        await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2)
    with pytest.raises(Conflict):  # nothing to rate before it is resolved
        await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="5", settings=SETTINGS)
    assert (await _item(place, item.id)).state == "accepted"


async def test_ratings_and_reopening_have_their_rules(place, submit):
    scope = place["scope"]
    item, _ = await submit()
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2,
                           what_was_done="已处理。", settings=SETTINGS)
    for bad in ("0", "6", "五", "", None):
        with pytest.raises(ValidationFailed):
            await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating=bad, settings=SETTINGS)
    with pytest.raises(PermissionDenied):
        await workflow.rate(scope, "qindu", item.id, person_id=place["grid_worker"].id, rating="5", settings=SETTINGS)
    with pytest.raises(ValidationFailed):
        await workflow.reopen(scope, "qindu", item.id, person_id=place["resident"].id, reason="", settings=SETTINGS)
    clock.advance(timedelta(days=7, minutes=1))
    with pytest.raises(Conflict):
        await workflow.reopen(scope, "qindu", item.id, person_id=place["resident"].id, reason="又脏了", settings=SETTINGS)
    assert (await _item(place, item.id)).state == "resolved"


async def test_a_resident_may_rate_low_and_still_reopen_within_the_window(place, submit):
    scope = place["scope"]
    item, _ = await submit()
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2,
                           what_was_done="已处理。", settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="2", comment="没扫干净",
                        settings=SETTINGS)
    row = await _item(place, item.id)
    assert (row.state, row.rating) == ("closed", 2) and workflow.may_reopen(row)
    await workflow.reopen(scope, "qindu", item.id, person_id=place["resident"].id, reason="还是很脏", settings=SETTINGS)
    row = await _item(place, item.id)
    assert (row.state, row.rating, row.closed_at, row.reopened) == ("reopened", None, None, 1)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=row.revision,
                           what_was_done="已彻底清理。", settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="5", settings=SETTINGS)
    clock.advance(timedelta(days=7, minutes=1))
    assert not workflow.may_reopen(await _item(place, item.id))
    with pytest.raises(Conflict):
        await workflow.reopen(scope, "qindu", item.id, person_id=place["resident"].id, reason="又脏了", settings=SETTINGS)


async def test_deadlines_escalate_one_level_at_a_time_and_only_once(place, submit, jobs):
    scope = place["scope"]
    item, _ = await submit()  # sanitation: 24 h to accept, the grid first
    assert await workflow.escalate_overdue(scope, "qindu") == 0
    clock.advance(timedelta(hours=24, minutes=1))
    assert await workflow.escalate_overdue(scope, "qindu") == 1
    assert await workflow.escalate_overdue(scope, "qindu") == 0  # idempotent: a fresh deadline came with it
    row = await _item(place, item.id)
    assert (row.party_type, row.party_id, row.escalation_level) == ("community", place["community"].id, 1)
    for party_type, party_id in (("street", place["street"].id), ("supervision", None)):
        clock.advance(timedelta(hours=24, minutes=1))
        assert await workflow.escalate_overdue(scope, "qindu") == 1
        row = await _item(place, item.id)
        assert (row.party_type, row.party_id) == (party_type, party_id)
    clock.advance(timedelta(hours=24, minutes=1))
    assert await workflow.escalate_overdue(scope, "qindu") == 0  # district supervision is the top
    await jobs.run_due()
    assert f"{row.tracking_number}需要您办理。" in await _titles(place, place["community_staff"])
    assert f"{row.tracking_number}需要您办理。" in await _titles(place, place["admin"])
    escalations = [e for e in await services.timeline(scope, item.id) if e.action == "escalate"]
    assert [e.party_type for e in escalations] == ["community", "street", "supervision"]


async def test_the_escalation_job_runs_per_district_on_its_schedule(place, submit, jobs):
    from datetime import datetime

    clock.set_now(datetime(2026, 12, 1, 9, 5, tzinfo=clock.CHINA))
    item, _ = await submit()
    await jobs.run_due()
    clock.set_now(datetime(2026, 12, 2, 9, 15, 30, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert (await _item(place, item.id)).party_type == "community"
