"""Retention rules per district and kind, the erased marker, the nightly job, and how plugins
declare their kinds."""

from datetime import datetime, timedelta, timezone

import pytest

from core import clock
from core.config import Settings
from core.errors import NotFound, ValidationFailed
from core.jobs import registry
from core.jobs.context import JobContext, run
from core.plugins import manifest
from core.protection import retention, services as protection
from core.protection.tables import PersonKey
from core.tenancy import TenantScope

START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


async def test_each_district_keeps_each_kind_its_own_time(tenant, other_tenant):
    here, there = TenantScope(tenant.id), TenantScope(other_tenant.id)
    await retention.set_days(here, "feedback_private", 30, actor_id=None)
    mine = {rule.kind: rule for rule in await retention.rules_of(here)}
    theirs = {rule.kind: rule for rule in await retention.rules_of(there)}
    assert (mine["feedback_private"].days, mine["feedback_private"].default) == (30, False)
    assert (theirs["feedback_private"].days, theirs["feedback_private"].default) == (3 * 365, True)
    await retention.set_days(here, "feedback_private", 60, actor_id=None)  # changed, not a second rule
    assert [r.days for r in await retention.rules_of(here) if r.kind == "feedback_private"] == [60]
    with pytest.raises(NotFound):
        await retention.set_days(here, "no_such_kind", 30, actor_id=None)
    with pytest.raises(ValidationFailed):
        await retention.set_days(here, "feedback_private", -1, actor_id=None)


async def test_the_nightly_job_erases_past_due_values_of_a_kind_in_its_district_only(tenant, other_tenant,
                                                                                      make_person):
    settings = Settings.from_env()
    person = await make_person("刘芳", "13800000021")
    here, there = TenantScope(tenant.id), TenantScope(other_tenant.id)
    clock.set_now(START, frozen=True)
    sealed = {scope.tenant_id: await protection.seal(settings, scope, person.id, "core_person_key", 1, "记录")
              for scope in (here, there)}
    for scope in (here, there):  # a stand-in row holding a sealed value, written when the clock said START
        await scope.update(PersonKey, {PersonKey.wrapped_key: sealed[scope.tenant_id]}).where(PersonKey.id > 0)
    await retention.set_days(here, "feedback_private", 10, actor_id=None)

    def kind_erasing_person_keys(scope, before):
        return retention.erase_sealed(scope, PersonKey.wrapped_key, since=PersonKey.created_at, before=before)

    retention.register_kind(retention.Kind("test_person_keys", "stand-in", 10, erase=kind_erasing_person_keys))
    try:
        clock.advance(timedelta(days=9))
        spec = registry.get("sensitive_data_erase")
        assert registry.CRONS["sensitive_data_erase"].per_tenant
        assert await run(spec, JobContext(settings, "test"), tenant.id, {}) == {}
        clock.advance(timedelta(days=2))
        assert await run(spec, JobContext(settings, "test"), tenant.id, {}) == {"test_person_keys": 1}
        assert await run(spec, JobContext(settings, "test"), tenant.id, {}) == {}
    finally:
        del retention.KINDS["test_person_keys"]
    assert retention.erased_at((await here.objects(PersonKey).first()).wrapped_key) == clock.now()
    assert (await there.objects(PersonKey).first()).wrapped_key == sealed[other_tenant.id]


async def test_reading_an_erased_value_says_when_it_was_erased(tenant, make_person):
    person = await make_person("刘芳", "13800000021")
    at = START + timedelta(days=3)
    with pytest.raises(protection.Erased) as erased:
        await protection.read(Settings.from_env(), TenantScope(tenant.id), reader_id=person.id, person_id=person.id,
                              table="feedback_item", row_id=1, sealed=retention.erased_marker(at),
                              may_read=lambda reader: False)
    assert erased.value.at == at
    assert retention.erased_at("v1:aes-gcm:AAAA") is None and retention.erased_at("") is None


def _manifest(**changes):
    data = {"name": "parking", "version": "1.0.0", "core": ">=1.0,<2", "licence": "MIT",
            "title": {"zh-Hans": "停车", "en": "Parking"}, "description": {"zh-Hans": "停车", "en": "Parking"},
            "author": {"name": "某公司", "contact": "a@example.org"}, "capabilities": ["encryption:use"],
            "sensitive_data": [{"key": "parking_plates", "retention_days": 90,
                                "label": {"zh-Hans": "车牌", "en": "Number plates"}}]}
    data.update(changes)
    return manifest.parse(data)


def test_a_manifest_declares_kinds_named_for_the_plugin_with_encryption():
    found, problems = _manifest()
    assert problems == [] and found.sensitive_data[0].retention_days == 90
    _, problems = _manifest(capabilities=[])
    assert "sensitive_data: needs the capability encryption:use" in problems
    _, problems = _manifest(sensitive_data=[{"key": "plates", "retention_days": -1,
                                              "label": {"zh-Hans": "车牌", "en": "Plates"}}])
    assert any("sensitive_data[1].key" in p for p in problems)
    assert any("sensitive_data[1].retention_days" in p for p in problems)
