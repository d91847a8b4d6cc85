"""Community helpers: registered with their training by a supervisor, refusing what is not a
member, a future date or hours out of range; a helper refers a resident who agreed, once, and
never sees a score."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from core import clock
from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from plugins.mental_health import helpers, network
from plugins.mental_health.tables import Helper, Referral, Screening, Training
from tests.http import csrf_token, http_client
from tests.plugins.mental_health.conftest import BASE, RESIDENT_PHONE, answer, give_consent

EN = {"accept-language": "en"}
HELPER_PHONE = "13800000051"


async def _post(client, page_path: str, path: str, data: dict[str, str]):
    page = await client.get(f"{BASE}{page_path}", headers=EN)
    assert page.status_code == 200, (page_path, page.status_code)
    return await client.post(f"{BASE}{path}", data={**data, "_csrf_token": csrf_token(page.text)}, headers=EN)


@pytest.fixture
async def people(app, district, make_person, sign_in):
    """Signed-in clients: a supervisor, a person holding the helper role, plain staff."""
    clients = {}
    async with http_client(app) as supervisor, http_client(app) as helper, http_client(app) as worker:
        for what, client, name, phone, roles in (
                ("supervisor", supervisor, "周华", "13800000050", [network.SUPERVISOR]),
                ("helper", helper, "赵强", HELPER_PHONE, [helpers.HELPER]),
                ("staff", worker, "张伟", "13800000052", ["staff"])):
            person = await make_person(name, phone)
            await accounts.add_membership(district, person.id, roles)
            await sign_in(client, phone, login_path="/t/qindu/login")
            client.person = person
            clients[what] = client
        yield clients


async def _register(district, people):
    response = await _post(people["supervisor"], "/console/helpers/", "/console/helpers/",
                           {"phone": HELPER_PHONE, "kind": "grid_worker", "organization": "东街社区"})
    assert response.status_code == 303
    return await district.objects(Helper).where(Helper.person_id == people["helper"].person.id).first()


async def test_a_supervisor_registers_a_helper_and_their_training(district, people):
    clock.set_now(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))
    try:
        helper = await _register(district, people)
        assert helper.active and helper.kind == "grid_worker" and helper.organization == "东街社区"
        page = f"/console/helpers/{helper.id}"
        done = await _post(people["supervisor"], page, f"{page}/training",
                           {"course": "心理危机识别", "provider": "区卫健委", "completed_on": "2026-11-28",
                            "hours": "16", "certificate": "A-1"})
        assert done.status_code == 303
        rows = await district.select(Training).where(Training.helper == helper.id)
        assert [(row["course"], row["hours"], row["completed_on"]) for row in rows] == [
            ("心理危机识别", 16, date(2026, 11, 28))]
        shown = await people["supervisor"].get(f"{BASE}{page}", headers=EN)
        assert "心理危机识别" in shown.text and "16 hours" in shown.text
        assert await AuditEntry.count().where(AuditEntry.action == "mental_health.helper.registered") == 1
    finally:
        clock.reset()


async def test_registration_refuses_a_phone_of_nobody_in_the_district(district, people, make_person):
    await make_person("外人", "13900000099")
    response = await _post(people["supervisor"], "/console/helpers/", "/console/helpers/",
                           {"phone": "13900000099", "kind": "mediator", "organization": "调解委员会"})
    assert response.status_code == 422
    assert 'id="e-phone"' in response.text and "Nobody in this district has this mobile number." in response.text
    assert 'value="13900000099"' in response.text and 'value="调解委员会"' in response.text
    assert await district.count(Helper) == 0


@pytest.mark.parametrize("changes, field", [({"completed_on": "2026-11-29"}, "completed_on"),
                                            ({"hours": "0"}, "hours"), ({"hours": "1001"}, "hours"),
                                            ({"course": ""}, "course"), ({"course": "x" * 121}, "course")])
async def test_training_refuses_a_future_date_and_hours_out_of_range(district, people, changes, field):
    clock.set_now(datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc))  # 23:00 on the 28th in China
    try:
        helper = await _register(district, people)
        page = f"/console/helpers/{helper.id}"
        data = {"course": "心理急救", "provider": "", "completed_on": "2026-11-28", "hours": "8", **changes}
        response = await _post(people["supervisor"], page, f"{page}/training", data)
        assert response.status_code == 422
        assert f'id="e-{field}"' in response.text and response.text.count('class="error"') == 1
        assert await district.count(Training) == 0
    finally:
        clock.reset()


async def test_a_helper_refers_a_resident_who_agreed_once(district, people, resident):
    await _register(district, people)
    helper = people["helper"]
    missing = await _post(helper, "/helpers/refer", "/helpers/refer",
                          {"phone": RESIDENT_PHONE, "summary": "最近睡不好，愿意和咨询员聊聊。"})
    assert missing.status_code == 422 and 'id="e-resident_agreed"' in missing.text
    assert "最近睡不好，愿意和咨询员聊聊。" in missing.text
    assert await district.count(Referral) == 0
    sent = await _post(helper, "/helpers/refer", "/helpers/refer",
                       {"phone": RESIDENT_PHONE, "summary": "最近睡不好，愿意和咨询员聊聊。", "resident_agreed": "1"})
    assert sent.status_code == 303
    rows = await district.select(Referral)
    assert len(rows) == 1
    row = rows[0]
    assert (row["person_id"], row["source"], row["referred_by"], row["level"], row["urgent"], row["state"]) == (
        resident.id, "helper", helper.person.id, "community_station", False, "sent")
    assert row["summary_sealed"] and "睡不好" not in row["summary_sealed"]
    assert await AuditEntry.count().where(AuditEntry.action == "mental_health.referral.by_helper") == 1
    listed = await helper.get(f"{BASE}/helpers/refer", headers=EN)
    assert 'data-state="sent"' in listed.text and "李静" not in listed.text and "睡不好" not in listed.text


async def test_a_helper_never_sees_a_score_and_others_cannot_refer(district, people, signed_in, resident):
    await give_consent(signed_in)
    await answer(signed_in, "phq9", [2] * 8 + [0])
    screening = await district.objects(Screening).where(Screening.person_id == resident.id).first()
    await _register(district, people)
    helper = people["helper"]
    assert (await helper.get(f"{BASE}/screenings/{screening.id}", headers=EN)).status_code == 404
    assert (await helper.get(f"{BASE}/console/referrals/", headers=EN)).status_code == 403
    assert (await helper.get(f"{BASE}/console/helpers/", headers=EN)).status_code == 403
    assert (await people["staff"].get(f"{BASE}/helpers/refer", headers=EN)).status_code == 403
    assert (await signed_in.get(f"{BASE}/console/helpers/", headers=EN)).status_code == 403


async def test_a_deactivated_or_unregistered_helper_cannot_refer(district, people, resident):
    helper = people["helper"]
    assert (await helper.get(f"{BASE}/helpers/refer", headers=EN)).status_code == 403
    row = await _register(district, people)
    assert (await helper.get(f"{BASE}/helpers/refer", headers=EN)).status_code == 200
    page = f"/console/helpers/{row.id}"
    assert (await _post(people["supervisor"], page, f"{page}/deactivate", {})).status_code == 303
    assert (await helper.get(f"{BASE}/helpers/refer", headers=EN)).status_code == 403


async def test_a_helpers_download_lists_their_record_and_training_and_erasing_clears_the_organisation(district, people):
    from plugins.mental_health import plugin as hooks

    helper = await _register(district, people)
    await helpers.add_training(district, people["supervisor"].person.id, helper.id,
                               {"course": "心理急救", "completed_on": "2026-01-05", "hours": "8"})
    exported = await hooks.export_personal_data(people["helper"].person.id)
    assert [row["organization"] for row in exported["mental_health_helper"]] == ["东街社区"]
    assert [(row["course"], row["completed_on"]) for row in exported["mental_health_helper_training"]] == [
        ("心理急救", "2026-01-05")]
    async with district.transaction(write=True):
        await hooks.erase_personal_data(people["helper"].person.id, "已注销用户")
    kept = await district.objects(Helper).where(Helper.id == helper.id).first()
    assert (kept.organization, kept.active) == ("", False)
