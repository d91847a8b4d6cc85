"""Booking: a place per person, never more than the slot's capacity, refused with a clear
message (full, already booked, started, cancelled); a resident's cancellation frees the place;
a cancelled slot cancels its bookings and tells each person why; the listings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.appointments import services
from core.appointments.tables import AppointmentBooking, AppointmentSlot
from core.errors import Conflict, NotFound, ValidationFailed
from core.notifications.tables import InboxEntry, Notification
from core.tenancy import TenantScope

KIND = "legal_aid.duty"


def local(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=clock.CHINA)


@pytest.fixture(autouse=True)
def december():
    clock.set_now(local(1, 8), frozen=True)


async def _slot(scope, day=3, hour=9, capacity=2, **values):
    return await services.create_slot(scope, KIND, local(day, hour), local(day, hour) + timedelta(hours=1),
                                      capacity=capacity, **values)


async def _refusal(coroutine) -> str:
    with pytest.raises(Conflict) as refused:
        await coroutine
    return refused.value.detail.msgid


async def test_booking_up_to_capacity_then_full(tenant):
    scope = TenantScope(tenant.id)
    slot = await _slot(scope)
    first = await services.book(scope, slot.id, 101)
    await services.book(scope, slot.id, 102)
    assert await _refusal(services.book(scope, slot.id, 103)) == "This slot is full."
    row = await services.slot(scope, slot.id)
    assert (row["booked"], row["free"]) == (2, 0)
    assert [r["person"] for r in await services.roster(scope, slot.id)] == [101, 102]
    assert (await services.roster(scope, slot.id))[0]["booking"] == first


async def test_a_person_holds_one_place_per_slot(tenant):
    scope = TenantScope(tenant.id)
    slot = await _slot(scope, capacity=5)
    await services.book(scope, slot.id, 101)
    assert await _refusal(services.book(scope, slot.id, 101)) == "You have already booked this slot."
    assert (await services.slot(scope, slot.id))["booked"] == 1  # the refused place was given back
    assert await scope.count(AppointmentBooking) == 1


async def test_cancel_frees_the_place_and_the_person_can_book_again(tenant):
    scope = TenantScope(tenant.id)
    slot = await _slot(scope, capacity=1)
    booking = await services.book(scope, slot.id, 101)
    assert await _refusal(services.book(scope, slot.id, 102)) == "This slot is full."
    with pytest.raises(NotFound):  # not their booking
        await services.cancel_booking(scope, booking, person_id=102)
    await services.cancel_booking(scope, booking, person_id=101)
    await services.cancel_booking(scope, booking, person_id=101)  # twice: nothing more
    assert (await services.slot(scope, slot.id))["booked"] == 0
    assert await services.roster(scope, slot.id) == []
    assert len(await services.roster(scope, slot.id, include_cancelled=True)) == 1
    again = await services.book(scope, slot.id, 101)
    assert again != booking and (await services.slot(scope, slot.id))["booked"] == 1
    assert [b["booking"] for b in await services.bookings_of(scope, 101)] == [again]
    assert len(await services.bookings_of(scope, 101, include_cancelled=True)) == 2


async def test_started_and_cancelled_slots_are_refused(tenant):
    scope = TenantScope(tenant.id)
    slot = await _slot(scope, day=1, hour=9)
    booking = await services.book(scope, slot.id, 101)
    clock.set_now(local(1, 9, 1), frozen=True)
    assert await _refusal(services.book(scope, slot.id, 102)) == "This slot has already started."
    assert await _refusal(services.cancel_booking(scope, booking, person_id=101)) == (
        "A booking cannot be cancelled once its slot has started.")
    later = await _slot(scope, day=2)
    await services.cancel_slot(scope, later.id, "律师临时出差")
    assert await _refusal(services.book(scope, later.id, 102)) == "This slot was cancelled."
    with pytest.raises(NotFound):
        await services.book(scope, 999999, 102)


async def test_cancelling_a_slot_cancels_its_bookings_and_tells_each_person(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    people = [await make_person(name, phone) for name, phone in (("刘芳", "13900000031"), ("王强", "13900000032"))]
    for person in people:
        await accounts.add_membership(scope, person.id, ["resident"])
    await jobs.run_due()
    before = await scope.count(InboxEntry)
    slot = await _slot(scope, title="律师值班", place="人民街道司法所", link="/t/qindu/p/legal_aid/")
    for person in people:
        await services.book(scope, slot.id, person.id)
    with pytest.raises(ValidationFailed):
        await services.cancel_slot(scope, slot.id, "  ")
    assert await services.cancel_slot(scope, slot.id, "律师临时出差") == 2
    assert await services.cancel_slot(scope, slot.id, "again") == 0  # already cancelled: nobody told twice
    row = await services.slot(scope, slot.id)
    assert row["cancelled_at"] is not None and row["cancel_reason"] == "律师临时出差"
    assert (row["booked"], row["free"]) == (0, 0)
    assert await services.roster(scope, slot.id) == []
    [notification] = await scope.select(Notification).where(Notification.kind == "legal_aid.duty.cancelled")
    assert json.loads(notification["audience"]) == {"persons": sorted(p.id for p in people)}
    title = json.loads(notification["title"])
    assert title == {"msgid": "Cancelled: %(title)s at %(when)s",
                     "params": {"title": "律师值班", "when": "2026-12-03 09:00"}}
    assert json.loads(notification["body"])["params"] == {"reason": "律师临时出差"}
    assert notification["link"] == "/t/qindu/p/legal_aid/"
    await jobs.run_due()
    assert await scope.count(InboxEntry) == before + 2
    assert not jobs.failures
    bookings = await services.bookings_of(scope, people[0].id, include_cancelled=True)
    assert bookings[0]["slot_cancelled_at"] is not None and bookings[0]["cancel_reason"] == "律师临时出差"


async def test_listings(tenant, other_tenant):
    scope = TenantScope(tenant.id)
    early = await _slot(scope, day=2, hour=9, capacity=1, host=7)
    full = await _slot(scope, day=2, hour=10, capacity=1, host=7)
    other_host = await _slot(scope, day=2, hour=9, capacity=1, host=8)
    cancelled = await _slot(scope, day=2, hour=11, host=7)
    outside = await _slot(scope, day=9, hour=9, host=7)
    await services.create_slot(scope, "mental_health.counselling", local(2, 9), local(2, 10))
    await services.create_slot(TenantScope(other_tenant.id), KIND, local(2, 14), local(2, 15))
    await services.book(scope, full.id, 101)
    await services.book(scope, early.id, 101)
    await services.book(scope, outside.id, 101)
    await services.cancel_slot(scope, cancelled.id, "停电")
    week = (local(1, 0), local(8, 0))
    assert [row["id"] for row in await services.free_slots(scope, KIND, *week)] == [other_host.id]
    await services.cancel_booking(scope, (await services.roster(scope, early.id))[0]["booking"])  # by staff
    assert [row["id"] for row in await services.free_slots(scope, KIND, *week, host=7)] == [early.id]
    assert [b["slot"] for b in await services.bookings_of(scope, 101)] == [full.id, outside.id]
    assert await services.bookings_of(scope, 101, namespace="mental_health.") == []
    clock.set_now(local(5, 0), frozen=True)
    assert [b["slot"] for b in await services.bookings_of(scope, 101, upcoming_only=True)] == [outside.id]
    assert await services.free_slots(scope, KIND, *week) == []  # all have started
    with pytest.raises(NotFound):
        await services.roster(scope, full.id, namespace="mental_health.")
    assert await scope.count(AppointmentSlot) == 6
