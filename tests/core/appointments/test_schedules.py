"""Weekly schedules: the slots a rule makes (its days, its hours cut into slots, holidays left
out), refused field by field when it makes no sense, and made once however often it is made."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from core import clock
from core.appointments import services
from core.appointments.schedules import WeeklyRule, dates
from core.appointments.tables import AppointmentSlot
from core.errors import Conflict, ValidationFailed
from core.tenancy import TenantScope

KIND = "mental_health.counselling"
# Tuesdays and Thursdays, 9:00–11:00, 30 minutes each, two people each, in December 2026.
RULE = WeeklyRule(weekdays={2, 4}, start=time(9), end=time(11), minutes=30, capacity=2,
                  first_day=date(2026, 12, 1), last_day=date(2026, 12, 31))


def local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=clock.CHINA)


@pytest.fixture(autouse=True)
def november():
    clock.set_now(local(2026, 11, 28, 10), frozen=True)


def test_a_rule_makes_slots_on_its_days_cut_to_length_in_china_time():
    times = list(RULE.times())
    # 10 Tuesdays and Thursdays in December 2026, four half hours each.
    assert len(times) == 10 * 4
    assert times[:4] == [(local(2026, 12, 1, 9), local(2026, 12, 1, 9, 30)),
                         (local(2026, 12, 1, 9, 30), local(2026, 12, 1, 10)),
                         (local(2026, 12, 1, 10), local(2026, 12, 1, 10, 30)),
                         (local(2026, 12, 1, 10, 30), local(2026, 12, 1, 11))]
    assert times[0][0].astimezone(clock.CHINA).hour == 9 and times[0][0].utcoffset() == timedelta(hours=8)
    assert {start.date().isoweekday() for start, _end in times} == {2, 4}


def test_holidays_are_left_out_and_a_slot_never_runs_past_the_end():
    rule = WeeklyRule(weekdays={2, 4}, start=time(9), end=time(10, 45), minutes=30, capacity=1,
                      first_day=date(2026, 12, 1), last_day=date(2026, 12, 10),
                      holidays=dates(["2026-12-03", " ", date(2026, 12, 8)]))
    starts = [start for start, _end in rule.times()]
    assert starts == [local(2026, 12, 1, 9), local(2026, 12, 1, 9, 30), local(2026, 12, 1, 10),
                      local(2026, 12, 10, 9), local(2026, 12, 10, 9, 30), local(2026, 12, 10, 10)]


def test_a_rule_that_makes_no_sense_is_refused_field_by_field():
    with pytest.raises(ValidationFailed) as refused:
        WeeklyRule(weekdays=set(), start=time(11), end=time(9), minutes=2, capacity=0,
                   first_day=date(2026, 12, 2), last_day=date(2026, 12, 1)).check()
    assert set(refused.value.errors) == {"weekdays", "end", "minutes", "capacity", "last_day"}
    with pytest.raises(ValidationFailed) as refused:
        WeeklyRule(weekdays={8}, start=time(9), end=time(10), minutes=30,
                   first_day=date(2026, 1, 1), last_day=date(2027, 6, 1)).check()
    assert set(refused.value.errors) == {"weekdays", "last_day"}
    assert refused.value.errors["last_day"].msgid == "A schedule covers at most a year."


async def test_a_schedule_made_twice_makes_no_duplicates(tenant):
    scope = TenantScope(tenant.id)
    assert await services.schedule_weekly(scope, KIND, RULE, host=7, title="心理咨询", place="北大街社区服务站") == 40
    assert await services.schedule_weekly(scope, KIND, RULE, host=7, title="心理咨询") == 0
    assert await scope.count(AppointmentSlot) == 40
    # A longer rule makes only the slots that are new; another host has slots of their own.
    longer = WeeklyRule(weekdays={2, 4}, start=time(9), end=time(11), minutes=30, capacity=2,
                        first_day=date(2026, 12, 1), last_day=date(2027, 1, 7))
    assert await services.schedule_weekly(scope, KIND, longer, host=7) == 2 * 4
    assert await services.schedule_weekly(scope, KIND, RULE, host=8) == 40
    assert await services.schedule_weekly(scope, KIND, RULE) == 40  # no host
    assert await services.schedule_weekly(scope, KIND, RULE) == 0
    assert await services.schedule_weekly(scope, "legal_aid.duty", RULE) == 40
    assert await scope.count(AppointmentSlot) == 40 * 4 + 8
    first = await scope.select(AppointmentSlot).where(AppointmentSlot.host == 7).order_by(
        AppointmentSlot.starts_at).first()
    assert first["starts_at"] == local(2026, 12, 1, 9) and first["ends_at"] == local(2026, 12, 1, 9, 30)
    assert (first["capacity"], first["booked"], first["title"], first["place"]) == (2, 0, "心理咨询", "北大街社区服务站")


async def test_slots_that_have_started_are_not_made(tenant):
    scope = TenantScope(tenant.id)
    clock.set_now(local(2026, 12, 1, 9, 45), frozen=True)
    assert await services.schedule_weekly(scope, KIND, RULE) == 40 - 2


async def test_a_one_off_slot_and_the_unique_index(tenant, other_tenant):
    scope = TenantScope(tenant.id)
    slot = await services.create_slot(scope, KIND, local(2026, 12, 5, 14), local(2026, 12, 5, 15), capacity=10,
                                      title="团体辅导")
    assert slot.capacity == 10 and slot.host is None
    with pytest.raises(Conflict) as refused:
        await services.create_slot(scope, KIND, local(2026, 12, 5, 14), local(2026, 12, 5, 16))
    assert refused.value.detail.msgid == "There is already a slot at this time."
    # The index itself: no host counts as one host, and it holds whatever the code does.
    from core import db

    with pytest.raises(Exception) as error:
        await scope.create(AppointmentSlot, kind=KIND, starts_at=local(2026, 12, 5, 14),
                           ends_at=local(2026, 12, 5, 15), created_at=clock.now())
    assert db.is_unique_violation(error.value)
    # Another district, another host, another kind: no clash.
    await services.create_slot(TenantScope(other_tenant.id), KIND, local(2026, 12, 5, 14), local(2026, 12, 5, 15))
    await services.create_slot(scope, KIND, local(2026, 12, 5, 14), local(2026, 12, 5, 15), host=3)
    await services.schedule_weekly(scope, KIND, RULE)  # Saturday the 5th is not in the rule
    with pytest.raises(ValidationFailed):
        await services.create_slot(scope, KIND, local(2026, 12, 5, 14), local(2026, 12, 5, 14), capacity=0)
