"""The counsellor's side as the service keeps it: who reads a resident's results and notes
(each read and refusal audited), assignment, sealed session notes, a supervisor's
break-glass access, and counselling sessions on core's shared slots."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.appointments import services as core_appointments
from core.audit.tables import AuditEntry
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.notifications.tables import InboxEntry
from plugins.mental_health import care, network, services
from plugins.mental_health.instruments import PHQ9
from plugins.mental_health.tables import Assignment, BreakGlass, Note, Screening

KEY = "care-0000-0000-0001"


def _form(answers: list[int], key: str = KEY) -> dict[str, str]:
    return {**{f"item{n}": str(a) for n, a in enumerate(answers, start=1)}, "idempotency_key": key}


@pytest.fixture
async def people(district, make_person):
    """The district's staff of the service and others, by what they are."""
    found = {}
    for number, (what, name, roles) in enumerate((
            ("counsellor", "王敏", [network.COUNSELLOR]), ("other_counsellor", "陈刚", [network.COUNSELLOR]),
            ("supervisor", "周华", [network.SUPERVISOR]), ("admin", "赵强", ["district_admin"]),
            ("staff", "张伟", ["staff"]), ("neighbour", "刘洋", ["resident"])), start=21):
        person = await make_person(name, f"138000000{number}")
        await accounts.add_membership(district, person.id, roles)
        found[what] = person
    return found


@pytest.fixture
async def screened(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    first, _new = await services.screen(district, resident.id, PHQ9, _form([1, 2, 1, 0, 0, 1, 0, 0, 0]))
    second, _new = await services.screen(district, resident.id, PHQ9, _form([2] * 8 + [0], key="care-0000-0000-0002"))
    return first, second


async def _audited(action: str, actor_id: int) -> int:
    return await AuditEntry.count().where(AuditEntry.action == action, AuditEntry.actor_id == actor_id)


async def _reads(scope, reader_id: int, screening_id: int) -> bool:
    try:
        await services.result(scope, reader_id, screening_id)
    except services.Unreadable:
        return False
    return True


# Who may read --------------------------------------------------------------------------------


async def test_who_reads_a_result_each_read_and_refusal_audited(district, resident, people, screened):
    first, _second = screened
    await care.assign(district, people["admin"].id, {"district_admin"}, resident.id, people["counsellor"].id)
    expected = {"counsellor": True, "other_counsellor": False, "supervisor": False, "admin": False, "staff": False,
                "neighbour": False}
    for what, allowed in expected.items():
        person = people[what]
        assert await _reads(district, person.id, first.id) is allowed, what
        assert await _audited("sensitive.read" if allowed else "sensitive.denied", person.id) == 1, what
        assert await _audited("sensitive.denied" if allowed else "sensitive.read", person.id) == 0, what
    assert await _reads(district, resident.id, first.id)
    assert await _audited("sensitive.read", resident.id) == 1


async def test_a_supervisor_reads_only_under_an_open_break_glass(district, resident, people, screened):
    first, _second = screened
    supervisor = people["supervisor"]
    assert not await _reads(district, supervisor.id, first.id)
    await care.break_glass(district, supervisor.id, {network.SUPERVISOR}, resident.id,
                           {"reason": "Crisis call at night, counsellor unreachable"})
    assert await _reads(district, supervisor.id, first.id)
    assert await _audited("sensitive.read", supervisor.id) == 1
    clock.advance(timedelta(hours=24, minutes=1))
    assert not await _reads(district, supervisor.id, first.id), "expired after 24 hours"
    assert await _audited("sensitive.denied", supervisor.id) == 2
    # Another supervisor's break-glass opens nothing for a counsellor or for anyone else.
    assert not await care.may_read(district, people["counsellor"].id, resident.id)


async def test_the_assigned_counsellor_reads_the_trend_and_an_ended_assignment_reads_nothing(
        district, resident, people, screened):
    counsellor = people["counsellor"]
    with pytest.raises(services.Unreadable):
        await services.trend(district, resident.id, "phq9", reader_id=counsellor.id)
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, counsellor.id)
    points = await services.trend(district, resident.id, "phq9", reader_id=counsellor.id)
    assert [point["score"] for point in points] == [5, 16]
    assert await _audited("sensitive.read", counsellor.id) == 2
    assert await care.end_assignment(district, counsellor.id, {network.COUNSELLOR}, resident.id)
    assert not await _reads(district, counsellor.id, screened[0].id)
    record = await AuditEntry.select().where(AuditEntry.action == "mental_health.assignment.ended")
    assert [row["actor_id"] for row in record] == [counsellor.id]


async def test_the_record_of_a_resident_is_refused_and_audited_for_others(district, resident, people, screened):
    with pytest.raises(services.Unreadable):
        await care.record(district, people["staff"].id, resident.id)
    assert await _audited("mental_health.record.denied", people["staff"].id) == 1
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, people["counsellor"].id)
    record = await care.record(district, people["counsellor"].id, resident.id)
    assert [row["score"] for row in record["screenings"]] == [16, 5]
    assert [point["score"] for point in record["trends"]["phq9"]] == [5, 16]
    with pytest.raises(NotFound):
        await care.record(district, people["counsellor"].id, resident.id + 1000)


# Assignment ----------------------------------------------------------------------------------


async def test_one_current_counsellor_and_who_may_assign(district, resident, people):
    counsellor, other = people["counsellor"], people["other_counsellor"]
    for what, roles in (("staff", {"staff"}), ("neighbour", {"resident"})):
        with pytest.raises(PermissionDenied):
            await care.assign(district, people[what].id, roles, resident.id, counsellor.id)
    with pytest.raises(PermissionDenied):
        await care.assign(district, counsellor.id, {network.COUNSELLOR}, resident.id, counsellor.id)
    with pytest.raises(ValidationFailed):
        await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, people["staff"].id)
    async with district.transaction(write=True):
        await network.create_referral(district, resident.id, source="helper")
    await care.assign(district, counsellor.id, {network.COUNSELLOR}, resident.id, counsellor.id)
    assert await care.current_counsellor(district, resident.id) == counsellor.id
    with pytest.raises(PermissionDenied):
        await care.assign(district, other.id, {network.COUNSELLOR}, resident.id, counsellor.id)
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, other.id)
    rows = await district.select(Assignment).order_by(Assignment.id)
    assert [(row["counsellor_id"], row["ended_at"] is None) for row in rows] == [(counsellor.id, False),
                                                                                 (other.id, True)]
    assert await AuditEntry.count().where(AuditEntry.action == "mental_health.assignment.made") == 2


# Session notes ---------------------------------------------------------------------------------


async def test_notes_are_sealed_and_read_like_results(district, resident, people):
    counsellor = people["counsellor"]
    text = "Talked about sleep; agreed to walk daily"
    with pytest.raises(PermissionDenied):
        await care.write_note(district, counsellor.id, resident.id, {"text": text})
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, counsellor.id)
    note = await care.write_note(district, counsellor.id, resident.id, {"text": text})
    [raw] = await district.select(Note).where(Note.id == note.id)
    assert raw["sealed"] and text not in raw["sealed"] and "sleep" not in raw["sealed"]
    assert [item["text"] for item in await care.notes(district, counsellor.id, resident.id)] == [text]
    assert [item["text"] for item in await care.notes(district, resident.id, resident.id)] == [text]
    for what in ("other_counsellor", "supervisor", "staff"):
        with pytest.raises(services.Unreadable):
            await care.notes(district, people[what].id, resident.id)
        assert await AuditEntry.count().where(AuditEntry.action == "sensitive.denied",
                                              AuditEntry.actor_id == people[what].id,
                                              AuditEntry.target == f"mental_health_note:{note.id}") == 1


async def test_a_note_needs_text_of_at_most_4000_characters(district, resident, people):
    counsellor = people["counsellor"]
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, counsellor.id)
    for text in ("", "   ", "x" * 4001):
        with pytest.raises(ValidationFailed) as refused:
            await care.write_note(district, counsellor.id, resident.id, {"text": text})
        assert set(refused.value.errors) == {"text"}
    assert await district.count(Note) == 0
    await care.write_note(district, counsellor.id, resident.id, {"text": "x" * 4000})
    assert await district.count(Note) == 1


async def test_erasing_a_person_deletes_their_notes(district, resident, people):
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, people["counsellor"].id)
    await care.write_note(district, people["counsellor"].id, resident.id, {"text": "A first session"})
    await services.erase(resident.id)
    assert await district.count(Note) == 0 and await district.count(Assignment) == 0


# Break-glass ---------------------------------------------------------------------------------------


async def test_break_glass_needs_a_reason_is_audited_and_shown_to_the_resident(district, resident, people):
    supervisor = people["supervisor"]
    for reason in ("", "too short"):
        with pytest.raises(ValidationFailed) as refused:
            await care.break_glass(district, supervisor.id, {network.SUPERVISOR}, resident.id, {"reason": reason})
        assert set(refused.value.errors) == {"reason"}
    with pytest.raises(PermissionDenied):
        await care.break_glass(district, people["counsellor"].id, {network.COUNSELLOR}, resident.id,
                               {"reason": "I would like to look, please"})
    assert await district.count(BreakGlass) == 0
    row = await care.break_glass(district, supervisor.id, {network.SUPERVISOR}, resident.id,
                                 {"reason": "Crisis call, counsellor on leave"})
    assert row.expires_at - row.opened_at == timedelta(hours=24)
    [notice] = await care.break_glass_notices(district, resident.id)
    assert (notice["supervisor"], notice["reason"]) == ("周华", "Crisis call, counsellor on leave")
    assert await _audited("mental_health.break_glass.opened", supervisor.id) == 1


# Counselling sessions ------------------------------------------------------------------------------


def _day(days: int) -> str:
    return (clock.now().astimezone(clock.CHINA) + timedelta(days=days)).date().isoformat()


async def test_a_session_is_offered_booked_once_and_cancelled(district, resident, people, jobs):
    counsellor = people["counsellor"]
    with pytest.raises(PermissionDenied):
        await care.publish_slot(district, people["staff"].id, {"day": _day(2), "start": "09:00"})
    with pytest.raises(ValidationFailed) as refused:
        await care.publish_slot(district, counsellor.id, {"day": "tomorrow", "start": "25:00", "minutes": "2"})
    assert set(refused.value.errors) == {"day", "start", "minutes"}
    slot_id = await care.publish_slot(district, counsellor.id, {"day": _day(2), "start": "09:00", "place": "北大街站"})
    with pytest.raises(Conflict):
        await care.publish_slot(district, counsellor.id, {"day": _day(2), "start": "09:00"})
    [free] = await care.free_sessions(district)
    assert (free["id"], free["counsellor"], free["place"]) == (slot_id, "王敏", "北大街站")
    booking = await care.book(district, resident.id, slot_id)
    with pytest.raises(Conflict):
        await care.book(district, people["neighbour"].id, slot_id)
    assert await care.free_sessions(district) == []
    [slot] = await care.roster(district, counsellor.id)
    assert slot["names"] == ["李静"]
    [mine] = await care.bookings(district, resident.id)
    assert mine["booking"] == booking and mine["counsellor"] == "王敏"
    with pytest.raises(NotFound):
        await care.cancel(district, people["neighbour"].id, booking)
    await care.cancel(district, resident.id, booking)
    assert await care.bookings(district, resident.id) == []
    assert [row["id"] for row in await care.free_sessions(district)] == [slot_id]


async def test_weekly_sessions_and_cores_reminder(district, resident, people, jobs):
    counsellor = people["counsellor"]
    with pytest.raises(ValidationFailed) as refused:
        await care.publish_weekly(district, counsellor.id, {"start": "09:00", "end": "11:00", "first_day": _day(1),
                                                            "last_day": _day(14)})
    assert set(refused.value.errors) == {"weekdays"}
    data = {f"day{n}": "1" for n in range(1, 8)} | {"start": "09:00", "end": "11:00", "minutes": "60",
                                                   "first_day": _day(1), "last_day": _day(7)}
    assert await care.publish_weekly(district, counsellor.id, data) == 14
    assert await care.publish_weekly(district, counsellor.id, data) == 0, "the same schedule twice"
    first = (await care.free_sessions(district, counsellor.id))[0]
    await care.book(district, resident.id, first["id"])
    clock.set_now(first["starts_at"] - timedelta(hours=3))
    assert await core_appointments.send_reminders(district) == 1
    await jobs.run_due()
    reminders = await district.select(InboxEntry, InboxEntry.notification.kind, InboxEntry.notification.link).where(
        InboxEntry.person == resident.id)
    assert [(row["notification.kind"], row["notification.link"]) for row in reminders] == [
        ("mental_health.counselling.reminder", "/t/qindu/p/mental_health/appointments")]


async def test_a_counsellor_books_for_a_resident_they_are_assigned_to(district, resident, people):
    counsellor, other = people["counsellor"], people["other_counsellor"]
    slot_id = await care.publish_slot(district, counsellor.id, {"day": _day(3), "start": "14:00"})
    other_slot = await care.publish_slot(district, other.id, {"day": _day(3), "start": "14:00"})
    with pytest.raises(NotFound):
        await care.book_for(district, counsellor.id, resident.id, {"slot_id": str(slot_id)})
    await care.assign(district, people["supervisor"].id, {network.SUPERVISOR}, resident.id, counsellor.id)
    with pytest.raises(ValidationFailed):
        await care.book_for(district, counsellor.id, resident.id, {"slot_id": str(other_slot)})
    await care.book_for(district, counsellor.id, resident.id, {"slot_id": str(slot_id)})
    assert [row["slot"] for row in await care.bookings(district, resident.id)] == [slot_id]
    assert await district.count(Screening) == 0
