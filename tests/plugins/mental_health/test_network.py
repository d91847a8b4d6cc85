"""The referral network: a referral's steps and their deadlines, moving a case between
levels with the resident's agreement, the counsellors on duty, and the escalation of what
nobody acknowledged in time, run by the scheduled job on the test clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.errors import Conflict, ValidationFailed
from core.notifications.tables import InboxEntry
from core.plugins import enablement
from plugins.mental_health import network, services
from plugins.mental_health.instruments import PHQ9
from plugins.mental_health.tables import Referral
from tests.http import csrf_token
from tests.plugins.mental_health.conftest import BASE

START = datetime(2026, 12, 1, 22, 0, tzinfo=clock.CHINA)
CRISIS = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
async def people(district, resident, make_person):
    made = {"resident": resident}
    for number, (who, roles) in enumerate((("counsellor", [network.COUNSELLOR]),
                                           ("second", [network.COUNSELLOR]),
                                           ("supervisor", [network.SUPERVISOR]),
                                           ("staff", ["staff"])), start=61):
        person = await make_person(who, f"138000000{number}")
        await accounts.add_membership(district, person.id, roles)
        made[who] = person
    return made


async def _crisis(district, resident) -> dict:
    await services.give_consent(district, resident.id, {"agree": "1"})
    await services.screen(district, resident.id, PHQ9, {
        **{f"item{n}": str(a) for n, a in enumerate(CRISIS, start=1)}, "idempotency_key": "network-test-key-1"})
    [referral] = await district.select(Referral)
    return referral


async def _told(district, kind: str) -> dict[int, bool]:
    rows = await district.select(InboxEntry, InboxEntry.person, InboxEntry.notification.kind,
                                 InboxEntry.notification.urgent)
    return {row["person"]: row["notification.urgent"] for row in rows
            if row["notification.kind"] == f"mental_health.{kind}"}


# Steps -------------------------------------------------------------------------------------------


async def test_steps_go_in_order_each_due_by_its_deadline(district, people):
    clock.set_now(START, frozen=True)
    referral = await _crisis(district, people["resident"])
    assert referral["due_at"] == START + timedelta(minutes=15)
    with pytest.raises(Conflict):
        await network.step(district, referral["id"], people["counsellor"].id, "seen")
    clock.advance(timedelta(minutes=3))
    accepted = await network.step(district, referral["id"], people["counsellor"].id, "accept")
    assert (accepted.state, accepted.accepted_by) == ("accepted", people["counsellor"].id)
    assert accepted.due_at == START + timedelta(minutes=3) + timedelta(days=1), "urgent: seen within a day"
    with pytest.raises(Conflict):
        await network.step(district, referral["id"], people["second"].id, "accept")
    seen = await network.step(district, referral["id"], people["counsellor"].id, "seen")
    assert seen.state == "seen" and seen.due_at == START + timedelta(minutes=3, days=30)
    with pytest.raises(ValidationFailed) as refused:
        await network.step(district, referral["id"], people["counsellor"].id, "close", {"outcome": ""})
    assert set(refused.value.errors) == {"outcome"}
    closed = await network.step(district, referral["id"], people["counsellor"].id, "close",
                                {"outcome": "Seen twice; doing better"})
    assert (closed.state, closed.due_at, closed.outcome) == ("closed", None, "Seen twice; doing better")
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.target == f"referral:{referral['id']}").order_by(AuditEntry.id)]
    assert actions == ["mental_health.referral.accepted", "mental_health.referral.seen",
                       "mental_health.referral.closed"]


async def test_a_case_moves_one_level_with_the_residents_agreement(district, people):
    referral = await _crisis(district, people["resident"])
    counsellor = people["counsellor"].id
    for data, field in (({"to_level": "health_centre", "summary": "Low mood for a month"}, "resident_agreed"),
                        ({"to_level": "city_hospital", "summary": "x", "resident_agreed": "1"}, "to_level"),
                        ({"to_level": "health_centre", "summary": "", "resident_agreed": "1"}, "summary")):
        with pytest.raises(ValidationFailed) as refused:
            await network.move(district, referral["id"], counsellor, data)
        assert field in refused.value.errors
    assert await district.count(Referral) == 1, "nothing half-written"
    moved = await network.move(district, referral["id"], counsellor, {
        "to_level": "health_centre", "summary": "Low mood for a month; agreed to see the GP", "resident_agreed": "1"})
    old = await district.get(Referral, referral["id"])
    assert (old.state, old.outcome) == ("closed", "moved to health_centre")
    assert (moved.level, moved.from_level, moved.previous, moved.state, moved.urgent, moved.screening) == (
        "health_centre", "community_station", referral["id"], "sent", True, None)
    assert "agreed to see the GP" not in moved.summary_sealed
    assert await network.summary_of(district, counsellor, moved.id) == "Low mood for a month; agreed to see the GP"
    # Down again is allowed; two levels at once is not.
    back = await network.move(district, moved.id, counsellor, {"to_level": "community_station", "summary": "Back",
                                                               "resident_agreed": "1"})
    assert back.level == "community_station"


# The crisis route's escalation ------------------------------------------------------------------


async def test_an_unacknowledged_crisis_goes_up_a_level_and_everyone_is_told_at_once(district, people, jobs):
    clock.set_now(START, frozen=True)
    await jobs.run_due()  # the schedule starts from here
    referral = await _crisis(district, people["resident"])
    await jobs.run_due()
    assert set(await _told(district, "urgent_referral")) == {people["counsellor"].id, people["second"].id}
    clock.advance(timedelta(minutes=14))
    await jobs.run_due()
    assert (await district.get(Referral, referral["id"])).escalations == 0, "not yet"
    clock.advance(timedelta(minutes=2))
    await jobs.run_due()
    await jobs.run_due()  # run again at the same moment: nothing more
    row = await district.get(Referral, referral["id"])
    assert (row.level, row.escalations, row.state) == ("health_centre", 1, "sent")
    assert row.due_at == START + timedelta(minutes=16 + 15)
    told = await _told(district, "referral_escalated")
    assert told == {people["counsellor"].id: True, people["second"].id: True, people["supervisor"].id: True}
    assert people["staff"].id not in told and people["resident"].id not in told
    # Still nobody: up again at the next deadline.
    clock.advance(timedelta(minutes=16))
    await jobs.run_due()
    assert (await district.get(Referral, referral["id"])).level == "district_institution"


async def test_acknowledged_in_time_nothing_escalates(district, people, jobs):
    clock.set_now(START, frozen=True)
    referral = await _crisis(district, people["resident"])
    clock.advance(timedelta(minutes=10))
    await network.step(district, referral["id"], people["counsellor"].id, "accept")
    clock.advance(timedelta(minutes=30))
    assert await network.escalate(district) == 0
    assert (await district.get(Referral, referral["id"])).level == "community_station"


async def test_the_districts_own_deadline(district, people):
    await enablement.save_settings(district, "mental_health", {"acknowledge_minutes": "5"}, actor_id=None)
    clock.set_now(START, frozen=True)
    referral = await _crisis(district, people["resident"])
    assert referral["due_at"] == START + timedelta(minutes=5)
    clock.advance(timedelta(minutes=6))
    assert await network.escalate(district) == 1


async def test_an_overdue_step_is_escalated_once_to_the_supervisors(district, people, jobs):
    clock.set_now(START, frozen=True)
    referral = await _crisis(district, people["resident"])
    await network.step(district, referral["id"], people["counsellor"].id, "accept")
    clock.advance(timedelta(days=1, minutes=1))
    assert await network.escalate(district) == 1
    assert await network.escalate(district) == 0
    clock.advance(timedelta(hours=5))
    assert await network.escalate(district) == 0, "once per overdue step"
    await jobs.run_due()
    assert await _told(district, "referral_overdue") == {people["supervisor"].id: False}


async def test_counsellors_on_duty_are_told_first(district, people, jobs):
    await network.set_duty(district, people["second"].id, True)
    await network.set_duty(district, people["second"].id, True)  # once
    await _crisis(district, people["resident"])
    await jobs.run_due()
    assert set(await _told(district, "urgent_referral")) == {people["second"].id}
    await network.set_duty(district, people["second"].id, False)
    assert await network.on_duty(district) == [people["counsellor"].id, people["second"].id], "nobody on duty: all"


# The console ------------------------------------------------------------------------------------


async def test_a_counsellor_acknowledges_and_refers_on_through_the_pages(app, district, people, sign_in):
    from tests.http import http_client

    referral = await _crisis(district, people["resident"])
    page_path = f"{BASE}/console/referrals/{referral['id']}"
    async with http_client(app) as client:
        await sign_in(client, people["counsellor"].phone, login_path="/t/qindu/login")
        page = await client.get(page_path, headers={"accept-language": "en"})
        assert page.status_code == 200 and 'id="acknowledge"' in page.text
        token = csrf_token(page.text)
        done = await client.post(f"{page_path}/accept", data={"_csrf_token": token})
        assert done.status_code == 303
        again = await client.post(f"{page_path}/accept", data={"_csrf_token": token},
                                  headers={"accept-language": "en"})
        assert again.status_code == 409 and "already been acknowledged" in again.text
        refused = await client.post(f"{page_path}/move", headers={"accept-language": "en"}, data={
            "_csrf_token": token, "to_level": "health_centre", "summary": "Needs a doctor's view"})
        assert refused.status_code == 422
        assert 'id="e-resident_agreed"' in refused.text and "Needs a doctor&#39;s view" in refused.text
        moved = await client.post(f"{page_path}/move", data={
            "_csrf_token": token, "to_level": "health_centre", "summary": "Needs a doctor's view",
            "resident_agreed": "1"})
        assert moved.status_code == 303
        new_page = await client.get(moved.headers["location"], headers={"accept-language": "en"})
        assert 'data-level="health_centre"' in new_page.text and "Needs a doctor&#39;s view" in new_page.text
        duty = await client.post(f"{BASE}/console/duty", data={"_csrf_token": token, "on": "1"})
        assert duty.status_code == 303 and await network.is_on_duty(district, people["counsellor"].id)
    async with http_client(app) as client:
        await sign_in(client, people["staff"].phone, login_path="/t/qindu/login")
        assert (await client.get(page_path)).status_code == 403


async def test_a_refused_close_shows_the_referral_again_with_the_outcome_typed(app, district, people, sign_in):
    from tests.http import http_client

    referral = await _crisis(district, people["resident"])
    page_path = f"{BASE}/console/referrals/{referral['id']}"
    typed = "<b>好转</b>" + "长" * 200
    async with http_client(app) as client:
        await sign_in(client, people["counsellor"].phone, login_path="/t/qindu/login")
        token = csrf_token((await client.get(page_path)).text)
        refused = await client.post(f"{page_path}/close", headers={"accept-language": "en"},
                                    data={"_csrf_token": token, "outcome": typed})
        assert refused.status_code == 422
        assert 'id="e-outcome" role="alert">At most 200 characters (you typed 209).' in refused.text
        assert f'value="&lt;b&gt;好转&lt;/b&gt;{"长" * 200}"' in refused.text and "<b>好转" not in refused.text
        assert "Please correct the fields marked below." not in refused.text, "the referral form is not in question"
        kept = await district.get(Referral, referral["id"])
        assert (kept.state, kept.outcome, kept.closed_at) == ("sent", "", None), "nothing written"
        closed = await client.post(f"{page_path}/close", data={"_csrf_token": token, "outcome": "好转"})
        assert closed.status_code == 303
        # Closed, the page shows no form: a bad outcome sent again is refused for what it is.
        again = await client.post(f"{page_path}/close", headers={"accept-language": "en"},
                                  data={"_csrf_token": token, "outcome": typed})
        assert again.status_code == 409 and "This referral is already closed." in again.text
    assert (await district.get(Referral, referral["id"])).outcome == "好转"
