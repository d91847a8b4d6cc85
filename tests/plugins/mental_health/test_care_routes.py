"""The counsellor's pages as counsellors, supervisors, staff and residents use them: one
resident's record for their counsellor only, session notes refused next to the field,
break-glass shown to the resident, and counselling sessions booked and cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.tenancy import TenantScope
from plugins.mental_health import care, network
from plugins.mental_health.tables import BreakGlass, Note
from tests.http import csrf_token, http_client
from tests.plugins.mental_health.conftest import BASE, answer, give_consent

EN = {"accept-language": "en"}


def _private(response) -> None:
    assert "no-store" in response.headers.get("cache-control", ""), f"{response.url} may be cached"


async def _post(client, page_path: str, path: str, data: dict[str, str]):
    page = await client.get(f"{BASE}{page_path}", headers=EN)
    assert page.status_code in (200, 403), (page_path, page.status_code)
    return await client.post(f"{BASE}{path}", data={**data, "_csrf_token": csrf_token(page.text)}, headers=EN)


@pytest.fixture
async def staff(app, district, make_person, sign_in):
    """Signed-in clients of the service's staff (and others), by what they are."""
    clients = {}
    async with http_client(app) as counsellor, http_client(app) as other, http_client(app) as supervisor, \
            http_client(app) as worker:
        for number, (what, client, name, roles) in enumerate((
                ("counsellor", counsellor, "王敏", [network.COUNSELLOR]),
                ("other_counsellor", other, "陈刚", [network.COUNSELLOR]),
                ("supervisor", supervisor, "周华", [network.SUPERVISOR]),
                ("staff", worker, "张伟", ["staff"])), start=21):
            person = await make_person(name, f"138000000{number}")
            await accounts.add_membership(district, person.id, roles)
            await sign_in(client, f"138000000{number}", login_path="/t/qindu/login")
            client.person = person
            clients[what] = client
        yield clients


@pytest.fixture
async def screened(signed_in, district, resident):
    await give_consent(signed_in)
    await answer(signed_in, "phq9", [1, 2, 1, 0, 0, 1, 0, 0, 0])
    await answer(signed_in, "phq9", [2] * 8 + [0])
    return resident


async def test_the_assigned_counsellor_reads_the_record_others_are_refused_and_audited(district, screened, staff):
    resident = screened
    await care.assign(district, staff["supervisor"].person.id, {network.SUPERVISOR}, resident.id,
                      staff["counsellor"].person.id)
    page = await staff["counsellor"].get(f"{BASE}/console/residents/{resident.id}", headers=EN)
    assert page.status_code == 200
    _private(page)
    assert "李静" in page.text and 'data-band="moderately_severe"' in page.text and "16 / 27" in page.text
    assert 'id="trend-phq9"' in page.text
    assert await AuditEntry.count().where(AuditEntry.action == "sensitive.read",
                                          AuditEntry.actor_id == staff["counsellor"].person.id) >= 2
    for what, status in (("other_counsellor", 403), ("supervisor", 403), ("staff", 404)):
        refused = await staff[what].get(f"{BASE}/console/residents/{resident.id}", headers=EN)
        assert refused.status_code == status, what
        _private(refused)
        assert "You are not assigned to this resident" in refused.text and "data-band" not in refused.text
        assert await AuditEntry.count().where(AuditEntry.action == "mental_health.record.denied",
                                              AuditEntry.actor_id == staff[what].person.id) == 1, what
    assert "李静" not in (await staff["staff"].get(f"{BASE}/console/residents/{resident.id}")).text


async def test_a_counsellor_of_another_district_gets_404(app, district, screened, other_tenant, make_person, sign_in):
    person = await make_person("杨丽", "13800000041")
    await accounts.add_membership(TenantScope(other_tenant.id), person.id, [network.COUNSELLOR])
    async with http_client(app) as client:
        await sign_in(client, "13800000041", login_path="/t/weicheng/login")
        page = await client.get(f"{BASE}/console/residents/{screened.id}", headers=EN)
        assert page.status_code == 404 and "李静" not in page.text and "data-band" not in page.text


async def test_a_note_is_refused_next_to_the_field_then_kept_sealed(district, screened, staff):
    resident, counsellor = screened, staff["counsellor"]
    await care.assign(district, staff["supervisor"].person.id, {network.SUPERVISOR}, resident.id,
                      counsellor.person.id)
    path = f"/console/residents/{resident.id}"
    long = "x" * 4001
    refused = await _post(counsellor, path, f"{path}/notes", {"text": long})
    assert refused.status_code == 422
    assert 'id="e-text"' in refused.text and "At most 4000 characters" in refused.text and long in refused.text
    empty = await _post(counsellor, path, f"{path}/notes", {"text": ""})
    assert empty.status_code == 422 and "This field is required." in empty.text
    kept = await _post(counsellor, path, f"{path}/notes", {"text": "Slept better this week"})
    assert kept.status_code == 303
    [row] = await district.select(Note)
    assert "Slept" not in row["sealed"]
    assert "Slept better this week" in (await counsellor.get(f"{BASE}{path}")).text
    other = await _post(staff["other_counsellor"], "/console/residents/", f"{path}/notes", {"text": "Not mine"})
    assert other.status_code == 403 and await district.count(Note) == 1


async def test_break_glass_through_the_pages_is_shown_to_the_resident(district, screened, staff, signed_in):
    resident, supervisor = screened, staff["supervisor"]
    path = f"/console/residents/{resident.id}/break-glass"
    assert (await staff["counsellor"].get(f"{BASE}{path}")).status_code == 403
    short = await _post(supervisor, path, path, {"reason": "urgent"})
    assert short.status_code == 422 and 'id="e-reason"' in short.text and "urgent" in short.text
    assert await district.count(BreakGlass) == 0
    opened = await _post(supervisor, path, path, {"reason": "Crisis call at night, counsellor unreachable"})
    assert opened.status_code == 303
    record = await supervisor.get(f"{BASE}/console/residents/{resident.id}", headers=EN)
    assert record.status_code == 200 and 'id="under-break-glass"' in record.text and "data-band" in record.text
    home = await signed_in.get(f"{BASE}/", headers=EN)
    assert 'id="break-glass-notice"' in home.text
    assert "周华" in home.text and "Crisis call at night, counsellor unreachable" in home.text
    clock.advance(timedelta(hours=25))
    assert (await supervisor.get(f"{BASE}/console/residents/{resident.id}")).status_code == 403


def _day(days: int) -> str:
    return (clock.now().astimezone(clock.CHINA) + timedelta(days=days)).date().isoformat()


async def test_sessions_are_offered_booked_and_cancelled_through_the_pages(district, resident, signed_in, staff,
                                                                           make_person, app, sign_in):
    counsellor = staff["counsellor"]
    refused = await _post(counsellor, "/console/appointments/", "/console/appointments/slot",
                          {"day": "soon", "start": "09:00", "minutes": "50"})
    assert refused.status_code == 422 and 'id="e-day"' in refused.text and 'value="soon"' in refused.text
    made = await _post(counsellor, "/console/appointments/", "/console/appointments/slot",
                       {"day": _day(2), "start": "09:00", "minutes": "50", "place": "北大街站"})
    assert made.status_code == 303
    clash = await _post(counsellor, "/console/appointments/", "/console/appointments/slot",
                        {"day": _day(2), "start": "09:00", "minutes": "50"})
    assert clash.status_code == 409 and "There is already a slot at this time." in clash.text
    [slot] = await care.free_sessions(district)
    listing = await signed_in.get(f"{BASE}/appointments/", headers=EN)
    assert listing.status_code == 200 and f'id="slot-{slot["id"]}"' in listing.text and "王敏" in listing.text
    _private(listing)
    booked = await _post(signed_in, "/appointments/", f"/appointments/{slot['id']}/book", {})
    assert booked.status_code == 303
    home = await signed_in.get(f"{BASE}/", headers=EN)
    assert 'id="my-appointments"' in home.text and "王敏" in home.text
    neighbour = await make_person("刘洋", "13800000031")
    await accounts.add_membership(district, neighbour.id, ["resident"])
    async with http_client(app) as other:
        await sign_in(other, "13800000031", login_path="/t/qindu/login")
        full = await _post(other, "/appointments/", f"/appointments/{slot['id']}/book", {})
        assert full.status_code == 409 and "This slot is full." in full.text
    roster = await counsellor.get(f"{BASE}/console/appointments/")
    assert f'id="slot-{slot["id"]}" data-free="0"' in roster.text and "李静" in roster.text
    [booking] = await care.bookings(district, resident.id)
    cancelled = await _post(signed_in, "/appointments/", f"/appointments/bookings/{booking['booking']}/cancel", {})
    assert cancelled.status_code == 303 and await care.bookings(district, resident.id) == []
    assert f'id="slot-{slot["id"]}" data-free="1"' in (await counsellor.get(f"{BASE}/console/appointments/")).text


async def test_the_counsellor_acknowledges_and_books_a_session_for_the_resident(district, resident, staff):
    counsellor = staff["counsellor"]
    slot_id = await care.publish_slot(district, counsellor.person.id, {"day": _day(1), "start": "10:00"})
    path = f"/console/residents/{resident.id}"
    refused = await _post(counsellor, "/console/residents/", f"{path}/book", {"slot_id": str(slot_id)})
    assert refused.status_code == 404 and await care.bookings(district, resident.id) == []
    async with district.transaction(write=True):
        referral = await network.create_referral(district, resident.id, source="crisis", urgent=True)
    await district.update(type(referral), {type(referral).state: "accepted",
                                           type(referral).accepted_by: counsellor.person.id}).where(
        type(referral).id == referral.id)
    taken = await _post(counsellor, "/console/residents/", f"{path}/assign",
                        {"counsellor_id": str(counsellor.person.id)})
    assert taken.status_code == 303 and await care.current_counsellor(district, resident.id) == counsellor.person.id
    page = await counsellor.get(f"{BASE}{path}", headers=EN)
    assert 'id="book-for"' in page.text
    booked = await _post(counsellor, path, f"{path}/book", {"slot_id": str(slot_id)})
    assert booked.status_code == 303
    assert [row["slot"] for row in await care.bookings(district, resident.id)] == [slot_id]
    again = await _post(counsellor, path, f"{path}/book", {"slot_id": str(slot_id)})
    assert again.status_code == 409 and 'id="problem"' in again.text
