"""The SDK's appointments: only for a plugin that declares appointments:use, and only within its
own kinds (``<plugin>.…``): another plugin's slots are out of its reach."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest

from core import clock
from core.appointments import services
from core.errors import NotFound
from core.plugins.manifest import CAPABILITIES
from core.sdk import CapabilityError, Plugin, WeeklyRule
from core.tenancy import TenantScope
from tests.core.plugins.sample_fixtures import sample  # noqa: F401  (fixture)


def local(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=clock.CHINA)


@pytest.fixture(autouse=True)
def december():
    clock.set_now(local(1, 8), frozen=True)


@pytest.fixture
def allowed(sample, monkeypatch):
    monkeypatch.setattr(sample, "manifest", dataclasses.replace(
        sample.manifest, capabilities=(*sample.manifest.capabilities, "appointments:use")))
    return Plugin("sample")


def test_the_capability_is_listed_in_plain_words():
    assert CAPABILITIES["appointments:use"].startswith("Offer appointment slots")


def test_the_static_check_knows_the_capability():
    from core.plugins.checks import _capability_of_method, _capability_of_property

    # A property (plugin.appointments.book(…)), not a method called by its name.
    assert _capability_of_property()["appointments"] == "appointments:use"
    assert "appointments" not in _capability_of_method()


async def test_a_plugin_without_the_capability_is_refused(tenant, sample, monkeypatch):
    handle = Plugin("sample")
    with pytest.raises(CapabilityError) as refused:
        handle.appointments
    assert refused.value.capability == "appointments:use"
    # An accessor kept from before checks again on every call.
    monkeypatch.setattr(sample, "manifest", dataclasses.replace(
        sample.manifest, capabilities=(*sample.manifest.capabilities, "appointments:use")))
    appointments = handle.appointments
    monkeypatch.setattr(sample, "manifest", dataclasses.replace(sample.manifest, capabilities=("notify:send",)))
    with pytest.raises(CapabilityError):
        await appointments.free_slots(TenantScope(tenant.id), "sample.visit", local(1, 0), local(9, 0))


async def test_a_plugin_uses_its_own_kinds(tenant, allowed):
    scope = TenantScope(tenant.id)
    appointments = allowed.appointments
    rule = WeeklyRule(weekdays={2, 4}, start=time(9), end=time(10), minutes=30, first_day=date(2026, 12, 1),
                      last_day=date(2026, 12, 7), holidays={date(2026, 12, 3)})
    assert await appointments.schedule_weekly(scope, "sample.visit", rule, title="上门走访") == 2
    assert await appointments.schedule_weekly(scope, "sample.visit", rule) == 0
    [first, second] = await appointments.free_slots(scope, "sample.visit", local(1, 0), local(8, 0))
    booking = await appointments.book(scope, first["id"], 101)
    assert [row["person"] for row in await appointments.roster(scope, first["id"])] == [101]
    assert [row["booking"] for row in await appointments.bookings_of(scope, 101)] == [booking]
    await appointments.cancel_booking(scope, booking, person_id=101)
    assert (await appointments.slot(scope, first["id"]))["free"] == 1
    one_off = await appointments.create_slot(scope, "sample.visit", local(5, 9), local(5, 10), capacity=3)
    assert await appointments.cancel_slot(scope, one_off, "场地维修") == 0
    assert second["title"] == "上门走访"


@pytest.mark.parametrize("kind", ["legal_aid.duty", "sample", "sample.", "samplex.visit", "visit"])
async def test_another_namespace_is_refused(tenant, allowed, kind):
    scope = TenantScope(tenant.id)
    with pytest.raises(CapabilityError) as refused:
        await allowed.appointments.create_slot(scope, kind, local(5, 9), local(5, 10))
    assert "appointment kind" in str(refused.value)
    with pytest.raises(CapabilityError):
        await allowed.appointments.free_slots(scope, kind, local(1, 0), local(9, 0))


async def test_another_plugins_slots_are_out_of_reach(tenant, allowed):
    scope = TenantScope(tenant.id)
    theirs = await services.create_slot(scope, "legal_aid.duty", local(5, 9), local(5, 10), capacity=3)
    booking = await services.book(scope, theirs.id, 101)
    appointments = allowed.appointments
    for attempt in (appointments.book(scope, theirs.id, 102), appointments.roster(scope, theirs.id),
                    appointments.slot(scope, theirs.id), appointments.cancel_slot(scope, theirs.id, "不要了"),
                    appointments.cancel_booking(scope, booking)):
        with pytest.raises(NotFound):
            await attempt
    assert await appointments.bookings_of(scope, 101) == []
    row = await services.slot(scope, theirs.id)
    assert (row["booked"], row["cancelled_at"]) == (1, None)
