"""Private items' details are erased once finished longer than the district keeps them: all of
an item's details at once, never an open case's, each once; the resident then reads when."""

from datetime import datetime, timedelta, timezone

from core import clock
from core.audit.tables import AuditEntry
from core.config import Settings
from core.feedback import reading, workflow
from core.feedback.tables import CallIn, FeedbackItem, TimelineEntry
from core.protection import retention

SETTINGS = Settings.from_env()
START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


async def _closed(place, submit, key: str, description: str):
    scope, staff, resident = place["scope"], place["community_staff"], place["resident"]
    item, _ = await submit(key=key, category=str(place["categories"]["family"].id), description=description)
    await workflow.accept(scope, "qindu", item.id, actor_id=staff.id, revision=1)
    row = await scope.get(FeedbackItem, item.id)
    await workflow.resolve(scope, "qindu", item.id, actor_id=staff.id, revision=row.revision,
                           what_was_done="已联系民政办，申请临时救助。", settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=resident.id, rating="4", comment="办得快，谢谢",
                        settings=SETTINGS)
    return item


async def _view(place, item_id):
    scope = place["scope"]
    return await reading.view(SETTINGS, scope, await scope.get(FeedbackItem, item_id),
                              reader_id=place["resident"].id, may_read_private=lambda reader: False)


async def test_only_finished_private_items_past_the_retention_are_erased_once(place, submit):
    scope = place["scope"]
    clock.set_now(START, frozen=True)
    old = await _closed(place, submit, "key-old0001", "家中老人需要照护。")
    still_open, _ = await submit(key="key-open001", category=str(place["categories"]["family"].id),
                                 description="低保申请进度。")
    public, _ = await submit(key="key-public1", description="楼道堆放杂物。")
    await scope.create(CallIn, item=old.id, department_id=1, called_by=place["street_staff"].id, called_at=START,
                       acknowledge_due=START, report=(await scope.get(FeedbackItem, old.id)).sealed_description)
    clock.advance(timedelta(days=20))
    later = await _closed(place, submit, "key-later01", "独居老人家中漏水。")
    await retention.set_days(scope, "feedback_private", 30, actor_id=place["admin"].id)

    clock.advance(timedelta(days=11))  # the first closed 31 days ago, the second 11
    assert await retention.enforce(scope) == {"feedback_private": 1}
    assert await retention.enforce(scope) == {}  # run again: nothing more

    erased = await scope.get(FeedbackItem, old.id)
    assert retention.erased_at(erased.sealed_description) == clock.now()
    assert retention.erased_at(erased.rating_comment) == clock.now()
    notes = await scope.objects(TimelineEntry).where(TimelineEntry.item == old.id, TimelineEntry.sealed == True)  # noqa: E712
    assert notes and all(retention.erased_at(entry.note) for entry in notes)
    assert retention.erased_at((await scope.objects(CallIn).first()).report)
    assert (erased.state, erased.rating, erased.tracking_number) == ("closed", 4, old.tracking_number)
    for kept in (later.id, still_open.id):
        assert (await scope.get(FeedbackItem, kept)).sealed_description.startswith("v1:")
    assert (await scope.get(FeedbackItem, public.id)).description == "楼道堆放杂物。"

    shown = await _view(place, old.id)
    date = clock.local(clock.now()).date().isoformat()
    assert date in shown.description and "家中老人" not in shown.description
    assert date in str(shown.rating_comment)
    assert all(date in str(entry.note) for entry in shown.timeline if entry.sealed)
    assert (await _view(place, later.id)).description == "独居老人家中漏水。"

    entries = await AuditEntry.select(AuditEntry.target, AuditEntry.details).where(
        AuditEntry.action == "sensitive.erased")
    assert [(row["target"], '"count": 1' in row["details"]) for row in entries] == [("feedback_private", True)]

    clock.advance(timedelta(days=20))
    assert await retention.enforce(scope) == {"feedback_private": 1}  # now the second
    assert (await scope.get(FeedbackItem, still_open.id)).sealed_description.startswith("v1:")


async def test_a_district_that_keeps_them_until_the_person_is_erased_erases_nothing(place, submit):
    scope = place["scope"]
    clock.set_now(START, frozen=True)
    item = await _closed(place, submit, "key-keep001", "家中老人需要照护。")
    await retention.set_days(scope, "feedback_private", 0, actor_id=None)
    clock.advance(timedelta(days=40 * 365))
    assert await retention.enforce(scope) == {}
    assert (await scope.get(FeedbackItem, item.id)).sealed_description.startswith("v1:")
