"""The reminder: each person booked is reminded once, the day before, by an hourly cron that
runs per district; a rerun (or a second run at the same time) reminds nobody twice."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from core import clock
from core.appointments import services
from core.appointments.tables import AppointmentBooking
from core.config import Settings
from core.jobs import registry
from core.jobs.context import JobContext
from core.notifications.tables import Notification
from core.tenancy import TenantScope

KIND = "volunteer_exchange.activity"


def local(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=clock.CHINA)


async def _remind(tenant_id: int) -> int:
    registry.load()
    spec = registry.get("appointments_remind")
    return await spec.function(JobContext(Settings.from_env(), "test"), tenant_id)


def test_the_reminder_runs_every_hour_in_every_district():
    registry.load()
    spec = registry.CRONS["appointments_remind"]
    assert spec.per_tenant and spec.schedule == {"minute": 5, "second": 0}


async def test_each_person_is_reminded_once_the_day_before(tenant, other_tenant):
    scope = TenantScope(tenant.id)
    clock.set_now(local(1, 8), frozen=True)
    slot = await services.create_slot(scope, KIND, local(2, 9), local(2, 11), capacity=5, title="清扫小区",
                                      place="北大街社区广场", link="/t/qindu/p/volunteer_exchange/")
    bare = await services.create_slot(scope, KIND, local(2, 14), local(2, 15), capacity=5)
    later = await services.create_slot(scope, KIND, local(3, 9), local(3, 10), capacity=5)
    await services.book(scope, slot.id, 101)
    await services.book(scope, slot.id, 102)
    gone = await services.book(scope, slot.id, 103)
    await services.cancel_booking(scope, gone, person_id=103)
    await services.book(scope, bare.id, 101)
    await services.book(scope, later.id, 101)
    elsewhere = TenantScope(other_tenant.id)
    other = await services.create_slot(elsewhere, KIND, local(2, 9), local(2, 10))
    await services.book(elsewhere, other.id, 101)

    assert await _remind(tenant.id) == 0  # 25 hours before: not yet
    clock.set_now(local(1, 9, 5), frozen=True)
    assert await _remind(tenant.id) == 2
    assert await _remind(tenant.id) == 0  # a rerun reminds nobody twice
    clock.set_now(local(1, 14, 5), frozen=True)
    assert await _remind(tenant.id) == 1  # the afternoon slot
    clock.set_now(local(2, 10), frozen=True)
    assert await _remind(tenant.id) == 1  # tomorrow's slot; the started one is not reminded again

    reminders = await scope.select(Notification).where(Notification.kind == f"{KIND}.reminder").order_by(
        Notification.id)
    assert [json.loads(r["audience"])["persons"] for r in reminders] == [[101, 102], [101], [101]]
    assert json.loads(reminders[0]["title"]) == {"msgid": "Reminder: %(title)s at %(when)s", "params": {
        "title": "清扫小区", "when": "2026-12-02 09:00", "place": "北大街社区广场"}}
    assert json.loads(reminders[0]["body"])["msgid"] == "Place: %(place)s"
    assert reminders[0]["link"] == "/t/qindu/p/volunteer_exchange/"
    assert json.loads(reminders[1]["title"])["msgid"] == "Reminder: your appointment at %(when)s"
    assert reminders[1]["body"] == ""
    assert await scope.count(AppointmentBooking).where(AppointmentBooking.reminded_at.is_not_null()) == 4
    # The other district's booking waits for that district's own run.
    assert await elsewhere.count(AppointmentBooking).where(AppointmentBooking.reminded_at.is_not_null()) == 0


async def test_a_cancelled_slot_is_not_reminded(tenant):
    scope = TenantScope(tenant.id)
    clock.set_now(local(1, 10), frozen=True)
    slot = await services.create_slot(scope, KIND, local(2, 9), local(2, 10))
    await services.book(scope, slot.id, 101)
    await services.cancel_slot(scope, slot.id, "下雨")
    assert await _remind(tenant.id) == 0
    assert await scope.count(Notification).where(Notification.kind == f"{KIND}.reminder") == 0


@pytest.mark.postgres
async def test_two_runs_at_once_remind_each_person_once(tenant):
    import asyncio

    scope = TenantScope(tenant.id)
    clock.set_now(local(1, 10), frozen=True)
    slot = await services.create_slot(scope, KIND, local(2, 9), local(2, 10), capacity=50)
    for person in range(1, 31):
        await services.book(scope, slot.id, person)
    results = await asyncio.gather(*(_remind(tenant.id) for _ in range(4)))
    assert sum(results) == 30
    notified = [p for r in await scope.select(Notification, Notification.audience).where(
        Notification.kind == f"{KIND}.reminder") for p in json.loads(r["audience"])["persons"]]
    assert sorted(notified) == list(range(1, 31))
