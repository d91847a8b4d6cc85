"""Mediation and referral cases; lawyers' duty hours and their booking; guides; figures;
and the plugin's pages in a district that has not enabled it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import clock
from core.plugins import enablement
from core.sdk import CHINA, Conflict, ValidationFailed
from plugins.legal_aid import cases, consultations, duty, figures, guides
from plugins.legal_aid.tables import Case, Consultation
from tests.plugins.legal_aid.conftest import BASE, LAWYER_PHONE, ask, post

EN = {"accept-language": "en"}
NEIGHBOURS = {"matter": "neighbours", "description": "楼上邻居每天深夜装修，噪音很大，沟通无果。",
              "idempotency_key": "neighbours-form-key-1"}
PDF = b"%PDF-1.4 agreement"


async def _mediation(district, resident, adviser):
    consultation, _new = await consultations.ask(district, "qindu", resident.id, NEIGHBOURS, [])
    await consultations.take(district, "qindu", adviser.id, consultation.id)
    return consultation, await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                               {"kind": "mediation", "parties": "楼上住户 李某"})


async def test_a_neighbour_dispute_becomes_a_mediation_that_ends_in_an_agreement(district, resident, adviser,
                                                                                 signed_in):
    consultation, case = await _mediation(district, resident, adviser)
    assert case.mediator_id == adviser.id and case.state == "open"
    await cases.record_session(district, adviser.id, case.id, {"date": "2026-12-01", "time": "19:00",
                                                               "place": "社区调解室", "note": "双方各自陈述"})
    await cases.conclude(district, "qindu", adviser.id, case.id, {"outcome": "agreement"},
                         [("协议.pdf", "application/pdf", PDF)])
    concluded = await district.get(Case, case.id)
    local_day = clock.now().astimezone(CHINA).date()
    assert concluded.state == "agreement" and concluded.confirm_by == local_day + timedelta(days=30)
    with pytest.raises(Conflict):
        await cases.conclude(district, "qindu", adviser.id, case.id, {"outcome": "no_agreement"}, [])
    page = await signed_in.get(f"{BASE}/cases/{case.id}", headers=EN)
    assert page.status_code == 200
    assert "judicial confirmation" in page.text and concluded.confirm_by.isoformat() in page.text
    assert "楼上住户 李某" in page.text and "双方各自陈述" in page.text


async def test_bad_case_input_is_refused_next_to_the_field(district, resident, adviser):
    consultation, case = await _mediation(district, resident, adviser)
    with pytest.raises(ValidationFailed) as bad:
        await cases.record_session(district, adviser.id, case.id, {"date": "12/01", "time": "x"})
    assert "date" in bad.value.errors
    with pytest.raises(ValidationFailed) as bad:
        await cases.conclude(district, "qindu", adviser.id, case.id, {"outcome": "agreement"},
                             [("协议.pdf", "application/pdf", b"GIF89a not an agreement")])
    assert "agreement" in bad.value.errors
    assert (await district.get(Case, case.id)).state == "open", "nothing half-written"
    with pytest.raises(ValidationFailed) as bad:
        await cases.open_case(district, "qindu", adviser.id, consultation.id, {"kind": "referral"})
    assert "department" in bad.value.errors


async def test_a_referral_is_tracked_until_it_is_answered(district, resident, adviser):
    consultation, _case = await _mediation(district, resident, adviser)
    referral = await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                     {"kind": "referral", "department": "区法律援助中心"})
    assert [case.id for case in await cases.open_referrals(district)] == [referral.id]
    await cases.record_answer(district, "qindu", adviser.id, referral.id, {"answer": "已受理法律援助申请"})
    assert await cases.open_referrals(district) == []
    assert (await cases.read(district, resident.id, referral.id))["answer"] == "已受理法律援助申请"


def _next(weekday: int) -> date:
    today = clock.now().astimezone(CHINA).date() + timedelta(days=1)
    return today + timedelta(days=(weekday - today.isoweekday()) % 7)


def _rule(lawyer, **changes) -> dict[str, str]:
    tuesday = _next(2)
    return {"lawyer": str(lawyer.id), "mode": "on_site", "community": "", "day2": "1", "start": "09:00",
            "end": "11:30", "minutes": "30", "capacity": "1", "first_day": tuesday.isoformat(),
            "last_day": (tuesday + timedelta(days=13)).isoformat(), **changes}


async def test_duty_hours_are_booked_within_capacity_and_never_overlap(district, lawyer, resident, make_person):
    from tenants.tables import Community, Street

    street = await district.create(Street, name="人民路街道")
    row = await district.create(Community, street=street.id, name="渭阳西路社区")
    community = {"id": row.id, "name": row.name}
    holiday = _next(2) + timedelta(days=7)
    made = await duty.schedule(district, lawyer.id, {"legal_aid.lawyer"},
                               _rule(lawyer, community=str(community["id"]), holidays=holiday.isoformat()))
    assert made == 5, "five half-hours on one Tuesday; the second is a holiday"
    with pytest.raises(ValidationFailed) as overlapping:
        await duty.schedule(district, lawyer.id, {"legal_aid.lawyer"},
                            _rule(lawyer, mode="online", start="11:00", end="12:00"))
    assert "start" in overlapping.value.errors
    with pytest.raises(ValidationFailed) as bad:
        await duty.schedule(district, lawyer.id, {"legal_aid.lawyer"}, _rule(lawyer, mode="on_site"))
    assert "community" in bad.value.errors
    [first, *_rest] = await duty.free(district)
    assert first["place"] == community["name"] and first["lawyer"] == "刘律师"
    await duty.book(district, resident.id, first["id"])
    with pytest.raises(Conflict):
        await duty.book(district, resident.id, first["id"])  # twice, or full
    neighbour = await make_person("周敏", "13800000177")
    from core.accounts import services as accounts

    await accounts.add_membership(district, neighbour.id, ["resident"])
    with pytest.raises(Conflict):
        await duty.book(district, neighbour.id, first["id"])  # full: one place
    [booking] = await duty.bookings(district, resident.id)
    await duty.cancel_booking(district, resident.id, booking["booking"])
    await duty.book(district, neighbour.id, first["id"])


async def test_a_past_or_cancelled_hour_cannot_be_booked(district, lawyer, resident, signed_in):
    await duty.schedule(district, lawyer.id, {"district_admin"}, _rule(lawyer, mode="online"))
    [first, second, *_rest] = await duty.free(district)
    await duty.cancel(district, lawyer.id, {"legal_aid.lawyer"}, second["id"], {"reason": "律师出庭"})
    clock.set_now(first["starts_at"] + timedelta(minutes=1))
    try:
        past = await post(signed_in, f"{BASE}/duty/{first['id']}/book", page=f"{BASE}/duty", headers=EN)
        assert past.status_code == 409 and 'id="problem"' in past.text
        cancelled = await post(signed_in, f"{BASE}/duty/{second['id']}/book", page=f"{BASE}/duty", headers=EN)
        assert cancelled.status_code == 409
    finally:
        clock.reset()


async def test_a_refused_cancellation_shows_the_roster_again_with_the_reason_typed(district, lawyer, resident, client,
                                                                                  sign_in):
    from core.appointments.tables import AppointmentSlot

    await duty.schedule(district, lawyer.id, {"legal_aid.lawyer"}, _rule(lawyer, mode="online"))
    [first, *_rest] = await duty.free(district)
    await duty.book(district, resident.id, first["id"])
    await sign_in(client, LAWYER_PHONE, login_path="/t/qindu/login")
    typed = "<i>出庭</i>" + "长" * 200
    refused = await post(client, f"{BASE}/console/duty/{first['id']}/cancel", {"reason": typed},
                         page=f"{BASE}/console/duty", headers=EN)
    assert refused.status_code == 422
    assert f'id="e-reason-{first["id"]}" role="alert">At most 200 characters (you typed 209).' in refused.text
    assert f'value="&lt;i&gt;出庭&lt;/i&gt;{"长" * 200}"' in refused.text and "<i>出庭" not in refused.text
    assert "Please correct the fields marked below." not in refused.text, "the schedule form is not in question"
    assert refused.text.count('value="&lt;i&gt;') == 1, "only that hour's form shows it"
    kept = await district.get(AppointmentSlot, first["id"])
    assert (kept.cancelled_at, kept.booked) == (None, 1), "nothing cancelled"
    cancelled = await post(client, f"{BASE}/console/duty/{first['id']}/cancel", {"reason": "律师出庭"},
                           page=f"{BASE}/console/duty")
    assert cancelled.status_code == 303
    # The hour is cancelled and its form gone: sent again, even with a bad reason, it stays as it was.
    again = await post(client, f"{BASE}/console/duty/{first['id']}/cancel", {"reason": typed},
                       page=f"{BASE}/console/duty")
    assert again.status_code == 303
    assert (await district.get(AppointmentSlot, first["id"])).cancel_reason == "律师出庭"


async def test_only_managers_or_the_lawyer_set_duty_hours(district, lawyer, adviser):
    from core.sdk import PermissionDenied

    with pytest.raises(PermissionDenied):
        await duty.schedule(district, adviser.id, {"legal_aid.adviser"}, _rule(lawyer, mode="online"))


async def test_a_district_edits_its_guide(district, adviser):
    built_in = await guides.guide(district, "wages", "en")
    assert not built_in["own"] and "one year" in built_in["time_limits"]
    await guides.edit(district, adviser.id, "wages", {"title": "欠薪求助", "steps": "一\n二",
                                                      "materials": "身份证\n工资条", "time_limits": "一年"})
    own = await guides.guide(district, "wages", "en")
    assert own["own"] and own["steps"] == ["一", "二"] and own["materials"] == ["身份证", "工资条"]
    with pytest.raises(ValidationFailed) as bad:
        await guides.edit(district, adviser.id, "wages", {"title": "", "steps": "", "materials": ""})
    assert set(bad.value.errors) >= {"title", "steps", "materials"}


async def test_figures_show_nothing_below_five_requests(district, resident, adviser):
    for number in range(4):
        await consultations.ask(district, "qindu", resident.id,
                                {**NEIGHBOURS, "idempotency_key": f"figures-form-key-{number}"}, [])
    few = await figures.figures(district)
    assert few["district"]["requests"] is None and few["district"]["by_matter"]["neighbours"] is None
    await consultations.ask(district, "qindu", resident.id,
                            {**NEIGHBOURS, "idempotency_key": "figures-form-key-9"}, [])
    five = await figures.figures(district)
    assert five["district"]["requests"] == 5 and five["district"]["by_matter"]["neighbours"] == 5
    assert five["district"]["by_matter"]["wages"] == 0
    assert five["district"]["first_answer_hours"] is None, "nobody answered yet"
    for row in await district.objects(Consultation):
        await consultations.take(district, "qindu", adviser.id, row.id)
    assert (await figures.figures(district))["district"]["first_answer_hours"] is not None


async def test_a_district_that_has_not_enabled_it_answers_404(district, signed_in, adviser):
    await ask(signed_in, {**NEIGHBOURS})
    [consultation] = await district.objects(Consultation)
    await enablement.set_enabled(district, "legal_aid", False, actor_id=None)
    for path in ("/", "/ask", "/duty", f"/consultations/{consultation.id}", "/guides/wages", "/console/"):
        assert (await signed_in.get(f"{BASE}{path}")).status_code == 404, path


async def test_pages_render_in_both_languages(district, signed_in, adviser, lawyer):
    for headers in (EN, {"accept-language": "zh-CN"}):
        for path in ("/", "/ask", "/duty", "/guides/wages", "/guides/tenancy"):
            page = await signed_in.get(f"{BASE}{path}", headers=headers)
            assert page.status_code == 200, (path, page.text[:500])
    assert "Labour dispute or unpaid wages" in (await signed_in.get(f"{BASE}/", headers=EN)).text
    guide = await signed_in.get(f"{BASE}/guides/wages")
    assert 'href="tel:12348"' in guide.text and "劳动人事争议仲裁委员会" in guide.text
    await enablement.save_settings(district, "legal_aid", {"hotline": "029-12348000", "green_accept_hours": "2",
                                                           "green_resolve_hours": "72"}, actor_id=None)
    assert 'href="tel:029-12348000"' in (await signed_in.get(f"{BASE}/guides/wages")).text


async def test_those_booked_are_reminded_the_day_before_and_told_of_a_cancellation(district, lawyer, resident,
                                                                                   jobs):
    from core.appointments import services as core_appointments
    from core.notifications.tables import InboxEntry

    await duty.schedule(district, lawyer.id, {"legal_aid.lawyer"}, _rule(lawyer, mode="online"))
    [first, second, *_rest] = await duty.free(district)
    await duty.book(district, resident.id, first["id"])
    await duty.book(district, resident.id, second["id"])
    await duty.cancel(district, lawyer.id, {"legal_aid.lawyer"}, second["id"], {"reason": "律师出庭"})
    clock.set_now(first["starts_at"] - timedelta(hours=3))
    try:
        assert await core_appointments.send_reminders(district) == 1
        await jobs.run_due()
    finally:
        clock.reset()
    told = await district.select(InboxEntry, InboxEntry.notification.kind, InboxEntry.notification.link).where(
        InboxEntry.person == resident.id).order_by(InboxEntry.id)
    assert sorted(row["notification.kind"] for row in told) == ["legal_aid.online.cancelled",
                                                               "legal_aid.online.reminder"]
    assert {row["notification.link"] for row in told} == {"/t/qindu/p/legal_aid/duty"}


async def test_every_page_of_the_plugin_is_private(district, signed_in, adviser):
    from plugins.legal_aid.routes import PAGES

    assert all(page.opt.get("private") for page in PAGES), "no-store, and never in the service worker's cache"
    for path in ("/", "/ask", "/duty", "/guides/wages"):
        assert (await signed_in.get(f"{BASE}{path}")).headers["cache-control"] == "no-store", path
