"""Capacity under concurrency, on PostgreSQL (SQLite runs one write at a time): many people
booking the last places at once get exactly as many places as there are."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import clock
from core.appointments import services
from core.appointments.tables import AppointmentBooking
from core.errors import Conflict
from core.tenancy import TenantScope

pytestmark = pytest.mark.postgres

KIND = "mental_health.counselling"


async def _attempts(coroutines):
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert not unexpected, unexpected
    return ([r for r in results if isinstance(r, int)],
            sorted(r.detail.msgid for r in results if isinstance(r, Conflict)))


async def test_twenty_people_booking_three_places_at_once_get_three(tenant):
    scope = TenantScope(tenant.id)
    starts = clock.now() + timedelta(days=2)
    slot = await services.create_slot(scope, KIND, starts, starts + timedelta(hours=1), capacity=3)
    booked, refused = await _attempts(services.book(scope, slot.id, person) for person in range(1, 21))
    assert len(booked) == 3 and refused == ["This slot is full."] * 17
    assert (await services.slot(scope, slot.id))["booked"] == 3
    assert await scope.count(AppointmentBooking).where(AppointmentBooking.slot == slot.id) == 3


async def test_one_person_booking_twice_at_once_gets_one_place(tenant):
    scope = TenantScope(tenant.id)
    starts = clock.now() + timedelta(days=2)
    slot = await services.create_slot(scope, KIND, starts, starts + timedelta(hours=1), capacity=10)
    booked, refused = await _attempts(services.book(scope, slot.id, 101) for _ in range(8))
    assert len(booked) == 1 and refused == ["You have already booked this slot."] * 7
    assert (await services.slot(scope, slot.id))["booked"] == 1


async def test_cancelling_and_booking_at_once_never_overbook(tenant):
    scope = TenantScope(tenant.id)
    starts = clock.now() + timedelta(days=2)
    slot = await services.create_slot(scope, KIND, starts, starts + timedelta(hours=1), capacity=2)
    first = await services.book(scope, slot.id, 1)
    await services.book(scope, slot.id, 2)
    coroutines = [services.cancel_booking(scope, first, person_id=1)]
    coroutines += [services.book(scope, slot.id, person) for person in range(3, 13)]
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    live = await scope.count(AppointmentBooking).where(AppointmentBooking.slot == slot.id,
                                                       AppointmentBooking.cancelled_at.is_null())
    assert live == (await services.slot(scope, slot.id))["booked"] <= 2


async def test_the_same_schedule_made_twice_at_once_makes_each_slot_once(tenant):
    from datetime import time

    from core.appointments.schedules import WeeklyRule
    from core.appointments.tables import AppointmentSlot

    today = clock.local(clock.now()).date()
    rule = WeeklyRule(weekdays=set(range(1, 8)), start=time(9), end=time(17), minutes=60, capacity=1,
                      first_day=today + timedelta(days=1), last_day=today + timedelta(days=14))
    made = await asyncio.gather(*(services.schedule_weekly(scope, KIND, rule, host=5)
                                  for scope in [TenantScope(tenant.id)] * 4))
    assert sorted(made) == [0, 0, 0, 14 * 8]
    assert await TenantScope(tenant.id).count(AppointmentSlot) == 14 * 8
