"""Every job is declared with an explicit timeout on a named queue, and takes its tenant."""

import inspect

import pytest

from core.jobs import registry


def test_core_declares_its_jobs_with_explicit_short_timeouts():
    registry.load()
    assert {"events_deliver", "notifications_fan_out", "notifications_send", "jobs_sweep", "inbox_prune"} <= set(
        registry.JOBS)
    for spec in registry.JOBS.values():
        limit = registry.SHORT_TIMEOUT_LIMIT if spec.queue == registry.SHORT else registry.LONG_TIMEOUT_LIMIT
        assert 0 < spec.timeout <= limit, spec.name
        parameters = list(inspect.signature(spec.function).parameters)
        assert parameters[:2] == ["ctx", "tenant_id"], f"{spec.name} takes (ctx, tenant_id, …)"
    assert registry.JOBS["inbox_prune"].queue == registry.LONG
    assert registry.CRONS["inbox_prune"].per_tenant and not registry.CRONS["jobs_sweep"].per_tenant


def test_a_short_job_may_not_take_long(declare):
    async def slow(ctx, tenant_id):
        return None

    with pytest.raises(ValueError, match="timeout"):
        declare.job("test_slow", slow, timeout=60)
    with pytest.raises(ValueError, match="queue"):
        declare.job("test_other_queue", slow, queue="medium")
    declare.job("test_long", slow, timeout=600, queue=registry.LONG)
    with pytest.raises(ValueError, match="twice"):
        declare.job("test_long", slow, timeout=600, queue=registry.LONG)


def test_unknown_schedule_fields_are_refused(declare):
    async def nightly(ctx, tenant_id):
        return None

    with pytest.raises(ValueError, match="schedule"):
        declare.cron("test_nightly", nightly, hours=3)
