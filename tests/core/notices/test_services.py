"""Notices from draft to published: reviewed by another, every move kept, stale actions refused."""

from datetime import datetime

import pytest

from core import clock
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.events.tables import Event
from core.notices import reading, services
from core.notices.tables import Notice
from core.notifications import services as notifications


def _form(district, **changes):
    return {"title": "2026年11月财务公开", "body": "## 收支\n\n本月收入 12,000 元。",
            "category": str(district["categories"]["财务公开"].id), "audience": f"community:{district['north'].id}",
            **changes}


async def _draft(district, **changes):
    scope = district["scope"]
    return await services.create(scope, await services.clean(scope, _form(district, **changes)),
                                 author_id=district["author"].id)


async def _submitted(district, **changes):
    notice = await _draft(district, **changes)
    await services.submit(district["scope"], notice.id, actor_id=district["author"].id, revision=notice.revision)
    return await district["scope"].get(Notice, notice.id)


async def test_the_whole_review_with_a_return_and_every_move_kept(district, jobs):
    scope, author, reviewer = district["scope"], district["author"], district["reviewer"]
    notice = await _submitted(district)
    await services.send_back(scope, notice.id, actor_id=reviewer.id, revision=notice.revision,
                             comment="请补充支出明细")
    notice = await scope.get(Notice, notice.id)
    assert notice.status == "returned"
    draft = await services.clean(scope, _form(district, body="## 收支\n\n收入 12,000 元，支出 8,000 元。"))
    notice = await services.edit(scope, notice.id, draft, actor_id=author.id, revision=notice.revision)
    await services.submit(scope, notice.id, actor_id=author.id, revision=notice.revision)
    notice = await scope.get(Notice, notice.id)
    assert await services.approve(scope, notice.id, actor_id=reviewer.id, revision=notice.revision) == "published"
    moves = [(t.action, t.from_status, t.to_status, t.actor, t.comment)
             for t in await services.transitions(scope, notice.id)]
    assert moves == [
        ("create", "", "draft", author.id, ""),
        ("submit", "draft", "submitted", author.id, ""),
        ("return", "submitted", "returned", reviewer.id, "请补充支出明细"),
        ("submit", "returned", "submitted", author.id, ""),
        ("approve", "submitted", "scheduled", reviewer.id, ""),
        ("publish", "scheduled", "published", None, ""),
    ]
    assert await scope.count(Event).where(Event.name == "notice_published") == 1


async def test_the_author_cannot_approve_their_own_notice(district):
    scope, author = district["scope"], district["author"]
    notice = await _submitted(district)
    with pytest.raises(PermissionDenied):
        await services.approve(scope, notice.id, actor_id=author.id, revision=notice.revision)
    assert (await scope.get(Notice, notice.id)).status == "submitted"


async def test_of_two_reviewers_acting_at_once_one_wins_and_the_other_is_told(district, make_person):
    from core.accounts import services as accounts

    scope = district["scope"]
    second = await make_person("赵磊", "13900000031")
    await accounts.add_membership(scope, second.id, ["staff"])
    notice = await _submitted(district)
    await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision)
    with pytest.raises(Conflict) as refused:
        await services.send_back(scope, notice.id, actor_id=second.id, revision=notice.revision, comment="不行")
    assert "Someone else changed this notice" in str(refused.value.detail.msgid)
    assert (await scope.get(Notice, notice.id)).status == "published"


async def test_publishing_fans_out_to_the_audience_once(district, jobs):
    scope = district["scope"]
    notice = await _submitted(district)
    await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision)
    await jobs.run_due()
    north, south = district["north_resident"].id, district["south_resident"].id
    titles = {person: [item.title for item in (await notifications.inbox(scope, person))[0]]
              for person in (north, south)}
    assert "新通知：2026年11月财务公开" in titles[north]
    assert not any("财务公开" in title for title in titles[south])
    # The resident of the community sees it (through their grid), the other does not.
    assert [n.title for n in await reading.for_person(scope, north)] == ["2026年11月财务公开"]
    assert await reading.for_person(scope, south) == []
    assert await reading.visible(scope, south, notice.root) is None


async def test_a_publish_at_in_the_future_schedules_and_a_job_publishes(district, jobs):
    scope = district["scope"]
    clock.set_now(datetime(2026, 12, 1, 8, 0, tzinfo=clock.CHINA))
    notice = await _submitted(district, publish_at="2026-12-01T09:00")
    assert await services.approve(scope, notice.id, actor_id=district["reviewer"].id,
                                  revision=notice.revision) == "scheduled"
    await jobs.run_due()
    assert (await scope.get(Notice, notice.id)).status == "scheduled"
    clock.set_now(datetime(2026, 12, 1, 9, 0, 1, tzinfo=clock.CHINA))
    await jobs.run_due()
    published = await scope.get(Notice, notice.id)
    assert published.status == "published" and clock.local(published.published_at).hour == 9


async def test_a_publish_at_in_the_past_publishes_now(district):
    notice = await _submitted(district, publish_at="2020-01-01T09:00")
    assert await services.approve(district["scope"], notice.id, actor_id=district["reviewer"].id,
                                  revision=notice.revision) == "published"


async def test_expiry_and_withdrawal(district, jobs):
    scope = district["scope"]
    clock.set_now(datetime(2026, 12, 1, 8, 0, tzinfo=clock.CHINA))
    notice = await _submitted(district, expire_at="2026-12-31T18:00")
    await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision)
    clock.set_now(datetime(2026, 12, 31, 18, 0, 1, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert (await scope.get(Notice, notice.id)).status == "expired"
    other = await _submitted(district)
    await services.approve(scope, other.id, actor_id=district["reviewer"].id, revision=other.revision)
    other = await scope.get(Notice, other.id)
    with pytest.raises(ValidationFailed):
        await services.withdraw(scope, other.id, actor_id=district["reviewer"].id, revision=other.revision, reason="")
    await services.withdraw(scope, other.id, actor_id=district["reviewer"].id, revision=other.revision,
                            reason="数据有误，待更正")
    withdrawn = await scope.get(Notice, other.id)
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_reason == "数据有误，待更正"


async def test_a_correction_is_a_new_version_and_the_old_one_is_marked(district, jobs):
    scope, reviewer = district["scope"], district["reviewer"]
    notice = await _submitted(district)
    await services.approve(scope, notice.id, actor_id=reviewer.id, revision=notice.revision)
    correction = await services.correct(scope, notice.id, actor_id=district["author"].id)
    with pytest.raises(Conflict):
        await services.correct(scope, notice.id, actor_id=district["author"].id)
    assert correction.root == notice.root and correction.version == 2 and correction.status == "draft"
    draft = await services.clean(scope, _form(district, body="更正：本月收入 12,500 元。"))
    correction = await services.edit(scope, correction.id, draft, actor_id=district["author"].id,
                                     revision=correction.revision)
    await services.submit(scope, correction.id, actor_id=district["author"].id, revision=correction.revision)
    correction = await scope.get(Notice, correction.id)
    await services.approve(scope, correction.id, actor_id=reviewer.id, revision=correction.revision)
    assert (await scope.get(Notice, notice.id)).status == "corrected"
    current = await reading.visible(scope, district["north_resident"].id, notice.root)
    assert current.id == correction.id and current.version == 2 and "12,500" in current.body
    await jobs.run_due()
    titles = [i.title for i in (await notifications.inbox(scope, district["north_resident"].id))[0]]
    assert "更正通知：2026年11月财务公开" in titles


async def test_bad_drafts_are_refused_field_by_field(district):
    scope = district["scope"]
    with pytest.raises(ValidationFailed) as refused:
        await services.clean(scope, _form(district, title="", audience="community:99999", category="abc",
                                          publish_at="2026-12-02T09:00", expire_at="2026-12-01T09:00"))
    assert set(refused.value.errors) == {"title", "audience", "category", "expire_at"}
    for audience in ("planet", "role:emperor", "grid:x", "street:"):
        with pytest.raises(ValidationFailed) as refused:
            await services.clean(scope, _form(district, audience=audience))
        assert set(refused.value.errors) == {"audience"}, audience


async def test_reading_is_recorded_once(district):
    scope = district["scope"]
    notice = await _submitted(district, audience="district")
    await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision)
    person = district["south_resident"].id
    assert [n.read for n in await reading.for_person(scope, person)] == [False]
    await reading.mark_read(scope, person, notice.root)
    await reading.mark_read(scope, person, notice.root)
    assert [n.read for n in await reading.for_person(scope, person)] == [True]


def test_markdown_is_sanitised():
    from core.notices.rendering import render

    html = str(render("<script>alert(1)</script>\n\n<iframe src=x></iframe>\n\n"
                      "[a](javascript:alert(1)) [b](data:text/html,x) ![c](data:image/png;base64,AAAA) "
                      "[d](JaVaScRiPt:alert(1)) [e](//evil.example/) [ok](https://example.com/) [here](/t/qindu/)"))
    assert "<script" not in html and "<iframe" not in html
    # Refused links stay as plain text: nothing in an href or src but what is allowed.
    assert 'href="javascript' not in html.lower() and 'src="data:' not in html and 'href="data:' not in html
    assert "<a " not in html.split('<a href="https://example.com/">')[0]
    assert 'href="//evil' not in html
    assert 'href="https://example.com/"' in html and 'href="/t/qindu/"' in html


async def test_the_notice_fan_out_run_twice_gives_each_resident_one_entry(district, jobs):
    from core.notifications.tables import InboxEntry, Notification

    scope = district["scope"]
    notice = await _submitted(district, audience="district")
    await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision)
    await jobs.run_due()
    notification = await scope.objects(Notification).where(Notification.kind == "notice_published").first()
    assert notification.recipients == 2
    # The whole fan-out again, from the start: nobody gets a second entry.
    await scope.update(Notification, {Notification.fan_out_cursor: 0, Notification.fanned_out_at: None}).where(
        Notification.id == notification.id)
    assert await notifications.fan_out_batch(district["scope"].tenant_id, notification.id, 0) == "finished"
    entries = await scope.select(InboxEntry, InboxEntry.person).where(InboxEntry.notification == notification.id)
    assert sorted(e["person"] for e in entries) == sorted([district["north_resident"].id,
                                                           district["south_resident"].id])
