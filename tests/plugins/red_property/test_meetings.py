"""Joint meetings: the agenda drawn from residents' matters, decisions with action items
tracked as feedback items (given to the firm or left with the community), the owners'
evaluation of each decision, and the action items in the firm's rating."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core import clock
from core.config import Settings
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.feedback import workflow
from core.feedback.tables import FeedbackItem
from plugins.red_property import estates, meetings, ratings, repairs
from plugins.red_property.tables import ActionItem, Decision, Evaluation
from tests.http import csrf_token, http_client
from tests.plugins.red_property.conftest import BASE

CHINA = clock.CHINA
EN = {"accept-language": "en"}


async def _repair(district, owner, text="楼道灯不亮"):
    home = next(h for h in await estates.homes_of(district, owner.id) if h["number"] == "1-201")
    return await repairs.report(district, "qindu", owner.id, {"kind": "red_property_repair", "unit": str(home["unit"]),
                                                              "description": text})


@pytest.fixture
async def meeting(district, compound, manager, owners, firm):
    await _repair(district, owners["张伟"])
    when = (clock.now() + timedelta(days=2)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return await meetings.schedule(district, manager.id, compound.id, {"held_at": when, "place": "社区议事厅",
                                                                       "attendees": "社区党委 王书记；业委会 李主任；物业 马经理"})


def _day(days: int) -> str:
    return (clock.now() + timedelta(days=days)).astimezone(CHINA).strftime("%Y-%m-%d")


async def test_the_agenda_takes_residents_open_matters_once(district, meeting, manager):
    [matter] = await meetings.residents_matters(district, meeting)
    await meetings.add_agenda(district, manager.id, meeting.id, {"feedback_id": str(matter["id"])})
    assert await meetings.residents_matters(district, meeting) == []
    with pytest.raises(ValidationFailed):
        await meetings.add_agenda(district, manager.id, meeting.id, {"feedback_id": str(matter["id"])})
    with pytest.raises(ValidationFailed):
        await meetings.add_agenda(district, manager.id, meeting.id, {"title": ""})
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "电动车充电桩选址"})
    record = await meetings.record(district, meeting.id)
    assert [row["title"] for row in record["agenda"]] == [matter["tracking_number"], "电动车充电桩选址"]


async def test_a_decision_gives_the_firm_an_action_item_with_its_date_in_the_firms_queue(district, meeting, manager,
                                                                                     firm):
    the_firm, _staff = firm
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
    [item] = (await meetings.record(district, meeting.id))["agenda"]
    decision = await meetings.decide(district, "qindu", manager.id, meeting.id, {
        "agenda_item": str(item["id"]), "text": "物业两周内更换全部楼道灯", "owner": "firm",
        "action": "更换 1-2 号楼楼道灯", "due": _day(14), "idempotency_key": "d1"})
    [action] = await district.select(ActionItem).where(ActionItem.decision == decision.id)
    row = await district.get(FeedbackItem, action["feedback_id"])
    assert (row.party_type, row.party_id) == ("red_property_firm", the_firm.id)
    assert row.resolve_due == action["due_at"]
    assert action["due_at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M") == f"{_day(14)} 18:00"
    assert row.id in [q["id"] for q in await repairs.queue(district, the_firm.id)]
    assert meetings.action_owner.get() is None


async def test_an_action_item_for_the_owners_committee_stays_with_the_community(district, meeting, manager,
                                                                                community):
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "停车位分配"})
    [item] = (await meetings.record(district, meeting.id))["agenda"]
    decision = await meetings.decide(district, "qindu", manager.id, meeting.id, {
        "agenda_item": str(item["id"]), "text": "业委会起草分配方案", "owner": "owners_committee",
        "action": "起草方案并公示", "due": _day(30)})
    [action] = await district.select(ActionItem).where(ActionItem.decision == decision.id)
    row = await district.get(FeedbackItem, action["feedback_id"])
    assert (row.party_type, row.party_id) == ("community", community.id)


async def test_a_bad_decision_writes_nothing(district, meeting, manager):
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
    with pytest.raises(ValidationFailed) as refused:
        await meetings.decide(district, "qindu", manager.id, meeting.id, {
            "agenda_item": "999", "text": "", "owner": "mayor", "action": "", "due": "2020-01-01"})
    assert set(refused.value.errors) == {"agenda_item", "text", "owner", "action", "due"}
    assert await district.count(Decision) == 0 and await district.count(ActionItem) == 0


async def test_owners_evaluate_each_decision_once_and_others_cannot(district, meeting, manager, owners, make_person):
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
    [item] = (await meetings.record(district, meeting.id))["agenda"]
    decision = await meetings.decide(district, "qindu", manager.id, meeting.id, {
        "agenda_item": str(item["id"]), "text": "更换楼道灯", "owner": "firm", "action": "更换", "due": _day(7)})
    with pytest.raises(ValidationFailed):
        await meetings.evaluate(district, owners["张伟"].id, decision.id, {"score": "6"})
    await meetings.evaluate(district, owners["张伟"].id, decision.id, {"score": "4", "comment": "灯亮了"})
    await meetings.evaluate(district, owners["刘洋"].id, decision.id, {"score": "5"})
    with pytest.raises(Conflict):
        await meetings.evaluate(district, owners["张伟"].id, decision.id, {"score": "1"})
    outsider = await make_person("路人", "13800000290")
    with pytest.raises(PermissionDenied):
        await meetings.evaluate(district, outsider.id, decision.id, {"score": "1"})
    [shown] = (await meetings.record(district, meeting.id))["decisions"]
    assert (shown["evaluations"], shown["mean"]) == (2, "4.5")
    assert await district.count(Evaluation) == 2


async def test_action_items_done_on_time_count_in_the_firms_rating(district, compound, manager, owners, firm, jobs):
    the_firm, staff = firm
    clock.set_now(datetime(2026, 11, 2, 9, 0, tzinfo=CHINA), frozen=True)
    try:
        meeting = await meetings.schedule(district, manager.id, compound.id, {"held_at": "2026-11-03 15:00"})
        await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
        [item] = (await meetings.record(district, meeting.id))["agenda"]
        for n, action in enumerate(("更换楼道灯", "清理消防通道")):
            await meetings.decide(district, "qindu", manager.id, meeting.id, {
                "agenda_item": str(item["id"]), "text": action, "owner": "firm", "action": action,
                "due": "2026-11-20", "idempotency_key": f"a{n}"})
        await jobs.run_due()
        first = (await district.select(ActionItem).order_by(ActionItem.id))[0]["feedback_id"]
        row = await district.get(FeedbackItem, first)
        await workflow.accept(district, "qindu", first, actor_id=staff.id, revision=row.revision)
        row = await district.get(FeedbackItem, first)
        await workflow.resolve(district, "qindu", first, actor_id=staff.id, revision=row.revision,
                               what_was_done="已更换", settings=Settings.from_env())
        clock.set_now(datetime(2026, 12, 1, 2, 0, tzinfo=CHINA), frozen=True)
        found = await ratings.facts(district, the_firm.id, "2026-11")
        assert (found["actions"]["num"], found["actions"]["den"]) == (1, 2)
    finally:
        clock.reset()


async def test_the_meeting_pages(app, district, meeting, manager, owners, sign_in):
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/console/meetings/{meeting.id}", headers=EN)
        assert page.status_code == 200 and "A matter residents raised" in page.text
        token = csrf_token(page.text)
        added = await client.post(f"{BASE}/console/meetings/{meeting.id}/agenda", data={
            "_csrf_token": token, "title": "楼道照明"})
        assert added.status_code == 303
        page = await client.get(f"{BASE}/console/meetings/{meeting.id}", headers=EN)
        [item] = (await meetings.record(district, meeting.id))["agenda"]
        refused = await client.post(f"{BASE}/console/meetings/{meeting.id}/decisions", headers=EN, data={
            "_csrf_token": token, "agenda_item": str(item["id"]), "text": "更换楼道灯", "owner": "firm",
            "action": "更换", "due": "明天"})
        assert refused.status_code == 422 and "更换楼道灯" in refused.text and "Give a date, like 2026-12-31." in refused.text
        decided = await client.post(f"{BASE}/console/meetings/{meeting.id}/decisions", data={
            "_csrf_token": token, "agenda_item": str(item["id"]), "text": "更换楼道灯", "owner": "firm",
            "action": "更换", "due": _day(7)})
        assert decided.status_code == 303
        assert (await client.post(f"{BASE}/console/meetings/{meeting.id}/nonsense",
                                  data={"_csrf_token": token})).status_code == 404
    [decision] = await district.select(Decision)
    async with http_client(app) as client:
        await sign_in(client, "13800000203", login_path="/t/qindu/login")
        home = await client.get(f"{BASE}/", headers=EN)
        assert f"{BASE}/meetings/{meeting.id}" in home.text
        page = await client.get(f"{BASE}/meetings/{meeting.id}", headers=EN)
        assert "更换楼道灯" in page.text and "Under way" in page.text
        empty = await client.post(f"{BASE}/meetings/decisions/{decision['id']}/evaluation", headers=EN,
                                  data={"_csrf_token": csrf_token(page.text), "comment": "灯还是不亮"})
        assert empty.status_code == 422 and "灯还是不亮" in empty.text
        sent = await client.post(f"{BASE}/meetings/decisions/{decision['id']}/evaluation",
                                 data={"_csrf_token": csrf_token(page.text), "score": "5"})
        assert sent.status_code == 303
        page = await client.get(f"{BASE}/meetings/{meeting.id}", headers=EN)
        assert "1 owners evaluated it: 5.0 of 5" in page.text


async def test_a_refused_evaluation_shows_the_meeting_again_with_what_was_typed(app, district, meeting, manager,
                                                                               owners, sign_in):
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
    [item] = (await meetings.record(district, meeting.id))["agenda"]
    decision = await meetings.decide(district, "qindu", manager.id, meeting.id, {
        "agenda_item": str(item["id"]), "text": "更换楼道灯", "owner": "firm", "action": "更换", "due": _day(7)})
    typed = "<b>灯还是不亮</b>" + "长" * 500
    path = f"{BASE}/meetings/decisions/{decision.id}/evaluation"
    async with http_client(app) as client:
        await sign_in(client, owners["张伟"].phone, login_path="/t/qindu/login")
        token = csrf_token((await client.get(f"{BASE}/meetings/{meeting.id}")).text)
        refused = await client.post(path, headers=EN, data={"_csrf_token": token, "score": "2", "comment": typed})
        assert refused.status_code == 422
        assert (f'id="e-comment-{decision.id}" role="alert">At most 500 characters (you typed {len(typed)}).'
                in refused.text)
        assert f'>&lt;b&gt;灯还是不亮&lt;/b&gt;{"长" * 500}</textarea>' in refused.text
        assert "<b>灯还是不亮" not in refused.text and 'value="2" checked' in refused.text
        assert await district.count(Evaluation) == 0, "nothing written"
        sent = await client.post(path, data={"_csrf_token": token, "score": "2", "comment": "灯还是不亮"})
        assert sent.status_code == 303
        # Evaluated, the page shows no form: a bad evaluation sent again is refused for what it is.
        again = await client.post(path, headers=EN, data={"_csrf_token": token, "score": "9", "comment": typed})
        assert again.status_code == 409 and "You have evaluated this decision." in again.text
    [evaluation] = await district.select(Evaluation)
    assert (evaluation["score"], evaluation["comment"]) == (2, "灯还是不亮")


async def test_the_same_decision_form_twice_is_one_decision(district, meeting, manager):
    await meetings.add_agenda(district, manager.id, meeting.id, {"title": "楼道照明"})
    [item] = (await meetings.record(district, meeting.id))["agenda"]
    form = {"agenda_item": str(item["id"]), "text": "更换楼道灯", "owner": "firm", "action": "更换", "due": _day(7),
            "idempotency_key": "form-7"}
    first = await meetings.decide(district, "qindu", manager.id, meeting.id, form)
    again = await meetings.decide(district, "qindu", manager.id, meeting.id, form)
    assert first.id == again.id
    assert await district.count(Decision) == 1 and await district.count(ActionItem) == 1
