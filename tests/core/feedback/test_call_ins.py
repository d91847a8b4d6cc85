"""Calling departments in (吹哨报到): the street office calls them in on an item being handled,
each acknowledges (late if after its deadline) and reports back; every step is on the
resident's timeline; a department is not called twice while it owes a report; a call-in not
acknowledged in time is told to district supervision once."""

import asyncio
import json
import re
from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.config import Settings
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.events.tables import Event
from core.feedback import call_ins, reading, services, workflow
from core.feedback.tables import CallIn, FeedbackItem
from core.notifications import services as notifications
from tenants.tables import Department
from tests.http import csrf_token

SETTINGS = Settings.from_env()
PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


@pytest.fixture
async def departments(place, make_person):
    """Two departments of the district, each with one member of staff."""
    scope = place["scope"]
    city = await scope.create(Department, name="城市管理局")
    housing = await scope.create(Department, name="住房建设局")
    city_staff = await make_person("陈静", "13900000041")
    await accounts.add_membership(scope, city_staff.id, ["department_staff"], "department", city.id)
    housing_staff = await make_person("周平", "13900000042")
    await accounts.add_membership(scope, housing_staff.id, ["department_staff"], "department", housing.id)
    return {"city": city, "housing": housing, "city_staff": city_staff, "housing_staff": housing_staff}


async def _places(place, person):
    return await accounts.places_of(place["scope"], person.id)


async def _accepted(place, submit, key="key-000001", **changes):
    item, _ = await submit(key, **changes)
    await workflow.accept(place["scope"], "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    return await place["scope"].get(FeedbackItem, item.id)


async def _call(place, item, department_ids, *, by=None, hours="", note="", revision=None):
    scope = place["scope"]
    by = by or place["street_staff"]
    call = await call_ins.clean(scope, {"hours": hours, "note": note}, [str(d) for d in department_ids])
    fresh = await scope.get(FeedbackItem, item.id)
    return await call_ins.call_in(SETTINGS, scope, "qindu", item.id, actor_id=by.id,
                                  places=await _places(place, by), call=call,
                                  revision=fresh.revision if revision is None else revision)


async def _acknowledge(place, person, call_in):
    scope = place["scope"]
    item = await scope.get(FeedbackItem, call_in.item)
    return await call_ins.acknowledge(scope, "qindu", item.id, call_in.id, actor_id=person.id,
                                      places=await _places(place, person), revision=item.revision)


async def _report(place, person, call_in, text):
    scope = place["scope"]
    item = await scope.get(FeedbackItem, call_in.item)
    return await call_ins.report(SETTINGS, scope, "qindu", item.id, call_in.id, actor_id=person.id,
                                 places=await _places(place, person), revision=item.revision, text=text)


async def _titles(place, person):
    items, _ = await notifications.inbox(place["scope"], person.id)
    return [item.title for item in items]


async def test_the_street_calls_a_department_in_which_acknowledges_and_reports(place, submit, departments, jobs):
    scope, city = place["scope"], departments["city"]
    item = await _accepted(place, submit)
    [called] = await _call(place, item, [city.id], hours="8", note="请城管协助清运。")
    assert (called.department_id, called.called_by) == (city.id, place["street_staff"].id)
    assert called.acknowledge_due == called.called_at + timedelta(hours=8)
    row = await scope.get(FeedbackItem, item.id)
    assert (row.state, row.revision) == ("accepted", item.revision + 1)  # the state stays; the page is stale
    await _acknowledge(place, departments["city_staff"], called)
    await _report(place, departments["city_staff"], called, "已派车清运，共两车。")
    stored = await scope.get(CallIn, called.id)
    assert stored.acknowledged_by == departments["city_staff"].id and stored.report == "已派车清运，共两车。"
    assert stored.reported_at is not None and stored.overdue_noted_at is None
    steps = [(e.action, e.to_state, e.party_type, e.party_id, e.note) for e in await services.timeline(scope, item.id)
             if e.action in call_ins.ACTIONS]
    assert steps == [("call_in", "accepted", "department", city.id, "请城管协助清运。"),
                     ("acknowledge", "accepted", "department", city.id, ""),
                     ("report", "accepted", "department", city.id, "已派车清运，共两车。")]
    events = [json.loads(e.payload) for e in await scope.objects(Event).where(
        Event.name == "feedback_status_changed").order_by(Event.id)]
    assert [(e["action"], e.get("call_in_id")) for e in events[-3:]] == [
        ("call_in", called.id), ("acknowledge", called.id), ("report", called.id)]
    await jobs.run_due()
    number = item.tracking_number
    told = await _titles(place, departments["city_staff"])
    assert any(number in title for title in told)
    street = await _titles(place, place["street_staff"])
    assert len([t for t in street if number in t and "城市管理局" in t]) == 2  # acknowledged, reported
    resident = await _titles(place, place["resident"])
    assert len([t for t in resident if number in t and "城市管理局" in t]) == 2  # called in, reported
    assert not await _titles(place, departments["housing_staff"])
    # The street office sees the call-in with its report; the department answers it.
    shown = await call_ins.of_item(SETTINGS, scope, row, reader_id=place["street_staff"].id,
                                   may_read_private=lambda reader: False,
                                   places=await _places(place, place["street_staff"]))
    assert [(c.department, c.state, c.late, c.report, c.mine) for c in shown] == [
        ("城市管理局", "reported", False, "已派车清运，共两车。", False)]


async def test_several_departments_at_once_and_an_admin_may_call_too(place, submit, departments):
    item = await _accepted(place, submit)
    made = await _call(place, item, [departments["city"].id, departments["housing"].id], by=place["admin"])
    assert sorted(c.department_id for c in made) == sorted([departments["city"].id, departments["housing"].id])
    assert all(c.acknowledge_due == c.called_at + timedelta(hours=24) for c in made)  # 24 hours unless told


async def test_only_the_street_office_calls_in_and_only_the_department_answers(place, submit, departments):
    scope = place["scope"]
    item = await _accepted(place, submit)
    for outsider in (place["community_staff"], place["grid_worker"], place["resident"], departments["city_staff"]):
        with pytest.raises(PermissionDenied):
            await _call(place, item, [departments["city"].id], by=outsider)
    [called] = await _call(place, item, [departments["city"].id])
    for outsider in (departments["housing_staff"], place["street_staff"], place["resident"], place["admin"]):
        with pytest.raises(PermissionDenied):
            await _acknowledge(place, outsider, called)
    other = await _accepted(place, submit, key="key-000002", description="路灯不亮。")
    with pytest.raises(NotFound):  # a call-in answers under its own item only
        await call_ins.acknowledge(scope, "qindu", other.id, called.id, actor_id=departments["city_staff"].id,
                                   places=await _places(place, departments["city_staff"]), revision=other.revision)
    assert (await scope.get(CallIn, called.id)).acknowledged_at is None


async def test_bad_input_and_states_that_cannot_be_called_in_on(place, submit, departments):
    scope, city = place["scope"], departments["city"]
    for department_ids, fields, bad in (([], {}, {"departments"}), (["x"], {}, {"departments"}),
                                        (["99999"], {}, {"departments"}), ([str(city.id)], {"hours": "0"}, {"hours"}),
                                        ([str(city.id)], {"hours": "169"}, {"hours"}),
                                        ([str(city.id)], {"hours": "一"}, {"hours"}),
                                        ([str(city.id)], {"note": "长" * 2001}, {"note"})):
        with pytest.raises(ValidationFailed) as refused:
            await call_ins.clean(scope, fields, department_ids)
        assert set(refused.value.errors) == bad
    assert (await call_ins.clean(scope, {"hours": "168"}, [str(city.id), str(city.id)])).department_ids == [city.id]
    waiting, _ = await submit()
    with pytest.raises(Conflict):  # not yet accepted
        await _call(place, waiting, [city.id])
    item = await _accepted(place, submit, key="key-000002")
    with pytest.raises(Conflict):  # the page was loaded before someone acted
        await _call(place, item, [city.id], revision=item.revision - 1)
    [called] = await _call(place, item, [city.id])
    with pytest.raises(Conflict):  # a report comes after the acknowledgement
        await _report(place, departments["city_staff"], called, "已处理。")
    await _acknowledge(place, departments["city_staff"], called)
    with pytest.raises(ValidationFailed):
        await _report(place, departments["city_staff"], called, "  ")
    await _report(place, departments["city_staff"], called, "已处理。")
    with pytest.raises(Conflict):
        await _report(place, departments["city_staff"], called, "又处理了一次。")
    row = await scope.get(FeedbackItem, item.id)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=row.revision,
                           what_was_done="已清理。", settings=SETTINGS)
    with pytest.raises(Conflict):  # resolved: nothing to call anyone in on
        await _call(place, item, [departments["housing"].id])


async def test_a_department_owing_a_report_is_not_called_twice(place, submit, departments):
    scope, city, housing = place["scope"], departments["city"], departments["housing"]
    item = await _accepted(place, submit)
    [called] = await _call(place, item, [city.id])
    with pytest.raises(Conflict) as twice:
        await _call(place, item, [housing.id, city.id])
    assert twice.value.detail.params["departments"] == "城市管理局"
    assert await scope.count(CallIn) == 1  # refused whole: housing was not called either
    await _acknowledge(place, departments["city_staff"], called)
    with pytest.raises(Conflict):  # acknowledged, but the report is still owed
        await _call(place, item, [city.id])
    await _report(place, departments["city_staff"], called, "已处理。")
    again = await _call(place, item, [city.id, housing.id])  # reported back: it may be called again
    assert len(again) == 2 and await scope.count(CallIn) == 3


async def test_of_two_acknowledgements_at_once_one_wins(place, submit, departments, make_person):
    scope, city = place["scope"], departments["city"]
    colleague = await make_person("吴敏", "13900000043")
    await accounts.add_membership(scope, colleague.id, ["department_staff"], "department", city.id)
    item = await _accepted(place, submit)
    [called] = await _call(place, item, [city.id])
    revision = (await scope.get(FeedbackItem, item.id)).revision

    async def acknowledge(person):
        return await call_ins.acknowledge(scope, "qindu", item.id, called.id, actor_id=person.id,
                                          places=await _places(place, person), revision=revision)

    results = await asyncio.gather(acknowledge(departments["city_staff"]), acknowledge(colleague),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["CallIn", "Conflict"]
    assert len([e for e in await services.timeline(scope, item.id) if e.action == "acknowledge"]) == 1
    with pytest.raises(Conflict):
        await call_ins.acknowledge(scope, "qindu", item.id, called.id, actor_id=colleague.id,
                                   places=await _places(place, colleague), revision=None)


async def test_a_late_acknowledgement_is_told_to_supervision_once_and_still_taken(place, submit, departments, jobs):
    scope, city = place["scope"], departments["city"]
    item = await _accepted(place, submit)
    [called] = await _call(place, item, [city.id], hours="2")
    [on_time] = await _call(place, item, [departments["housing"].id], hours="2")
    await _acknowledge(place, departments["housing_staff"], on_time)
    clock.advance(timedelta(hours=1))
    assert await call_ins.note_overdue(scope, "qindu") == 0
    clock.advance(timedelta(hours=1, minutes=1))
    assert await call_ins.note_overdue(scope, "qindu") == 1
    assert await call_ins.note_overdue(scope, "qindu") == 0  # once: it was noted
    noted = await scope.get(CallIn, called.id)
    assert noted.overdue_noted_at is not None and (await scope.get(CallIn, on_time.id)).overdue_noted_at is None
    late = [e for e in await services.timeline(scope, item.id) if e.action == "call_in_late"]
    assert [(e.party_type, e.party_id, e.actor) for e in late] == [("department", city.id, None)]
    await jobs.run_due()
    told = [t for t in await _titles(place, place["admin"]) if item.tracking_number in t and "城市管理局" in t]
    assert len(told) == 1  # district supervision
    await _acknowledge(place, departments["city_staff"], called)  # late, but taken
    row = await scope.get(FeedbackItem, item.id)
    shown = {c.department: c for c in await call_ins.of_item(
        SETTINGS, scope, row, reader_id=place["street_staff"].id, may_read_private=lambda reader: False,
        places=await _places(place, place["street_staff"]))}
    assert (shown["城市管理局"].state, shown["城市管理局"].late) == ("acknowledged", True)
    assert (shown["住房建设局"].state, shown["住房建设局"].late) == ("acknowledged", False)
    clock.advance(timedelta(days=2))
    assert await call_ins.note_overdue(scope, "qindu") == 0


async def test_the_escalation_job_notes_late_call_ins(place, submit, departments, jobs):
    clock.set_now(datetime(2026, 12, 1, 9, 5, tzinfo=clock.CHINA))
    item = await _accepted(place, submit)
    [called] = await _call(place, item, [departments["city"].id], hours="1")
    await jobs.run_due()  # the schedule starts
    clock.set_now(datetime(2026, 12, 1, 10, 15, 30, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert (await place["scope"].get(CallIn, called.id)).overdue_noted_at is not None


# The console ---------------------------------------------------------------------------

async def _page(client, item_id):
    return await client.get(f"/t/qindu/console/feedback/{item_id}", headers=PAGE)


async def _post(client, path, page, **fields):
    revision = re.search(r'name="revision" value="(\d+)"', page.text).group(1)
    return await client.post(path, headers=PAGE, data={"_csrf_token": csrf_token(page.text), "revision": revision,
                                                       **fields})


async def _as(client, sign_in, phone):
    client.cookies.clear()
    await sign_in(client, phone, login_path="/t/qindu/login")


async def test_the_whole_call_in_from_the_console(client, place, submit, departments, sign_in):
    scope, city = place["scope"], departments["city"]
    item = await _accepted(place, submit)
    base = f"/t/qindu/console/feedback/{item.id}"
    await _as(client, sign_in, "13900000031")  # the street office
    page = await _page(client, item.id)
    assert f'action="{base}/call-in"' in page.text and "城市管理局" in page.text
    nothing = await _post(client, f"{base}/call-in", page, hours="8", note="请协助。")
    assert nothing.status_code == 422 and "请协助。" in nothing.text  # what was typed is kept
    bad = await _post(client, f"{base}/call-in", page, departments=[str(city.id)], hours="500")
    assert bad.status_code == 422 and 'value="500"' in bad.text
    called = await _post(client, f"{base}/call-in", page, departments=[str(city.id)], hours="8", note="请协助。")
    assert called.status_code == 303 and called.headers["location"] == base
    stale = await _post(client, f"{base}/call-in", page, departments=[str(departments["housing"].id)])
    assert stale.status_code == 409
    twice = await _post(client, f"{base}/call-in", await _page(client, item.id), departments=[str(city.id)])
    assert twice.status_code == 409 and "notice-error" in twice.text
    [call_in] = await scope.objects(CallIn)

    await _as(client, sign_in, "13900000041")  # the department called in
    queue = await client.get("/t/qindu/console/feedback", headers=PAGE)
    assert item.tracking_number in queue.text
    page = await _page(client, item.id)
    assert page.status_code == 200 and "楼道堆放杂物" in page.text
    assert f"{base}/call-ins/{call_in.id}/acknowledge" in page.text
    assert f'action="{base}/start"' not in page.text and f'action="{base}/call-in"' not in page.text
    assert (await _post(client, f"{base}/start", page)).status_code == 403  # the item itself is not theirs
    early = await _post(client, f"{base}/call-ins/{call_in.id}/report", page, report="已处理。")
    assert early.status_code == 409
    assert (await _post(client, f"{base}/call-ins/{call_in.id}/acknowledge", page)).status_code == 303
    again = await _post(client, f"{base}/call-ins/{call_in.id}/acknowledge", page)
    assert again.status_code == 409
    page = await _page(client, item.id)
    empty = await _post(client, f"{base}/call-ins/{call_in.id}/report", page, report="")
    assert empty.status_code == 422 and "此项必填。" in empty.text
    assert (await _post(client, f"{base}/call-ins/{call_in.id}/wave", page)).status_code == 404
    reported = await _post(client, f"{base}/call-ins/{call_in.id}/report", page, report="已派车清运。")
    assert reported.status_code == 303
    page = await _page(client, item.id)
    assert page.status_code == 200 and "已派车清运。" in page.text  # still theirs to see after reporting

    await _as(client, sign_in, "13900000042")  # a department not called in
    assert item.tracking_number not in (await client.get("/t/qindu/console/feedback", headers=PAGE)).text
    assert (await _page(client, item.id)).status_code == 403
    await _as(client, sign_in, "13900000021")  # the resident: no console, but the timeline
    assert (await _page(client, item.id)).status_code in (403, 404)
    mine = await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)
    assert mine.status_code == 200 and "城市管理局" in mine.text and "已派车清运。" in mine.text
    assert "请协助。" in mine.text
    stored = await scope.get(CallIn, call_in.id)
    assert stored.acknowledged_by == departments["city_staff"].id and stored.report == "已派车清运。"


async def test_a_department_not_called_in_cannot_answer_and_a_private_item_stays_hidden(
        client, place, submit, departments, sign_in):
    scope, city = place["scope"], departments["city"]
    item = await _accepted(place, submit)
    [call_in] = await _call(place, item, [city.id])
    private, _ = await submit(key="key-private1", category=str(place["categories"]["family"].id),
                              description="家中老人需要照护。")
    await _as(client, sign_in, "13900000042")  # housing
    page = await client.get("/t/qindu/console/", headers=PAGE)
    answer = await client.post(f"/t/qindu/console/feedback/{item.id}/call-ins/{call_in.id}/acknowledge",
                               headers=PAGE, data={"_csrf_token": csrf_token(page.text), "revision": "9"})
    assert answer.status_code == 403
    assert (await _page(client, private.id)).status_code == 404
    assert (await scope.get(CallIn, call_in.id)).acknowledged_at is None
    await _as(client, sign_in, "13900000011")  # the community handles it, but does not call departments in
    page = await _page(client, item.id)
    assert page.status_code == 200 and f'/feedback/{item.id}/call-in"' not in page.text
    refused = await _post(client, f"/t/qindu/console/feedback/{item.id}/call-in", page,
                          departments=[str(departments["housing"].id)])
    assert refused.status_code == 403 and await scope.count(CallIn) == 1


async def test_a_department_called_in_on_a_private_item_reads_it(client, place, submit, departments, sign_in):
    scope = place["scope"]
    private, _ = await submit(key="key-private1", category=str(place["categories"]["family"].id),
                              description="家中老人需要照护。")
    await workflow.accept(scope, "qindu", private.id, actor_id=place["community_staff"].id, revision=1)
    await workflow.assign(scope, "qindu", private.id, actor_id=place["community_staff"].id, revision=2,
                          party_type="street", party_id=place["street"].id, settings=SETTINGS)
    await _call(place, private, [departments["city"].id], note="请上门看看。")
    await _as(client, sign_in, "13900000041")
    assert private.tracking_number in (await client.get("/t/qindu/console/feedback", headers=PAGE)).text
    page = await _page(client, private.id)
    assert page.status_code == 200 and "家中老人需要照护。" in page.text and "请上门看看。" in page.text
    await _as(client, sign_in, "13900000042")
    assert private.tracking_number not in (await client.get("/t/qindu/console/feedback", headers=PAGE)).text
    assert (await _page(client, private.id)).status_code == 404
    row = await scope.get(FeedbackItem, private.id)
    shown = await reading.view(SETTINGS, scope, row, reader_id=place["resident"].id,
                               may_read_private=lambda reader: False)
    assert shown.departments == {departments["city"].id: "城市管理局"}
