"""A plugin's background work: its handlers hear the core events only of districts that
have it enabled, when the event is emitted and when it is delivered; its per-district
scheduled jobs run only for the active districts that have it enabled; a handler or job that
fails (raises, or hangs past its timeout) is counted against the plugin in that district and
retried as core retries anything."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from core import clock
from core.config import Settings
from core.events import names, services as events
from core.events.tables import EventDelivery
from core.jobs import queue, registry, schedule, sweep
from core.jobs.context import JobContext, run
from core.plugins import enablement, failures
from core.tenancy import TenantScope
from tenants import services as tenants
from tests.core.plugins.containment_fixtures import enable, enablement_of, plugins  # noqa: F401  (fixtures)

STEADY_HANDLER = "steady.count_feedback"
BROKEN_HANDLER = "broken.note_feedback"
PAYLOAD = {"feedback_id": 1, "person_id": 1, "category": "roads"}


async def _deliveries(tenant) -> dict[str, EventDelivery]:
    return {row.handler: row for row in await TenantScope(tenant.id).objects(EventDelivery)}


async def _disable(tenant, name: str) -> None:
    await enablement.set_enabled(TenantScope(tenant.id), name, False, actor_id=None)


# Event handlers -------------------------------------------------------------------------


async def test_a_core_event_reaches_the_plugin_only_where_it_is_enabled(tenant, other_tenant, jobs, plugins):
    await enable(tenant, "steady")
    await events.emit(TenantScope(tenant.id), names.FEEDBACK_SUBMITTED, PAYLOAD)
    await events.emit(TenantScope(other_tenant.id), names.FEEDBACK_SUBMITTED, PAYLOAD)
    assert set(await _deliveries(tenant)) == {STEADY_HANDLER}
    assert await _deliveries(other_tenant) == {}
    await jobs.run_due()
    assert plugins.steady.RAN == [("handler", tenant.id)]
    assert (await _deliveries(tenant))[STEADY_HANDLER].status == "done"


async def test_a_delivery_for_a_plugin_disabled_since_the_event_is_skipped(tenant, jobs, plugins):
    await enable(tenant, "steady")
    await events.emit(TenantScope(tenant.id), names.FEEDBACK_SUBMITTED, PAYLOAD)
    await _disable(tenant, "steady")
    await jobs.run_due()
    assert plugins.steady.RAN == []
    delivery = (await _deliveries(tenant))[STEADY_HANDLER]
    assert delivery.status == "done" and delivery.last_error == ""
    # Enabled again, it does not hear what was emitted while it was off.
    await enable(tenant, "steady")
    await jobs.run_due()
    assert plugins.steady.RAN == []


async def test_a_failing_plugin_handler_is_retried_and_counted_against_the_plugin(tenant, jobs, plugins, caplog):
    caplog.set_level(logging.ERROR, logger="gongzhi.plugins")
    await enable(tenant, "broken", "steady")
    await events.emit(TenantScope(tenant.id), names.FEEDBACK_SUBMITTED, PAYLOAD)
    await jobs.run_due()
    deliveries = await _deliveries(tenant)
    assert deliveries[STEADY_HANDLER].status == "done" and plugins.steady.RAN == [("handler", tenant.id)]
    failed = deliveries[BROKEN_HANDLER]
    assert (failed.status, failed.attempts, failed.last_error) == ("pending", 1, "RuntimeError: broken handler")
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("enabled", 1)
    assert broken.last_error == f"event handler {BROKEN_HANDLER}: RuntimeError: broken handler"
    assert f"plugin broken failed in district {tenant.id} (event handler {BROKEN_HANDLER})" in caplog.text

    # The sweep queues it again after its backoff, like any handler's; it fails again, counted again.
    clock.advance(events.BACKOFF[0] + timedelta(seconds=sweep.GRACE_SECONDS + 1))
    await sweep.sweep_all()
    await jobs.run_due()
    assert (await _deliveries(tenant))[BROKEN_HANDLER].attempts == 2
    assert (await enablement_of(tenant, "broken")).failures == 2
    # Fixed, the next attempt delivers it.
    plugins.broken.FAILING.clear()
    clock.advance(events.BACKOFF[1] + timedelta(seconds=sweep.GRACE_SECONDS + 1))
    await sweep.sweep_all()
    await jobs.run_due()
    delivered = (await _deliveries(tenant))[BROKEN_HANDLER]
    assert (delivered.status, delivered.attempts) == ("done", 3)
    assert plugins.steady.RAN == [("handler", tenant.id)]  # steady's delivery ran once


# Jobs -------------------------------------------------------------------------------------


async def test_a_plugin_schedule_runs_in_the_active_districts_that_enabled_it(jobs, tenant, other_tenant, make_tenant,
                                                                              plugins):
    suspended = await make_tenant("xingping", "兴平市", "610481")
    stopped = await make_tenant("liquan", "礼泉县", "610425")
    for district in (tenant, other_tenant, suspended, stopped):
        await enable(district, "steady")
    await _disable(other_tenant, "steady")
    await tenants.change_status("xingping", "suspend", "整改")
    for _ in range(failures.LIMIT):
        await failures.record(stopped.id, "steady", "test", RuntimeError("down"))
    assert (await enablement_of(stopped, "steady")).state == "degraded"
    await enable(await make_tenant("wugong", "武功县", "610431"), "broken")  # another plugin only

    spec = registry.CRONS["steady.tally"]
    assert spec.per_tenant and spec.plugin == "steady"
    assert await schedule.target_tenants(spec) == [tenant.id]
    clock.set_now(datetime(2026, 11, 30, 1, 0, tzinfo=clock.CHINA))
    await jobs.run_due()  # the runner learns the schedule: nothing is due yet
    assert plugins.steady.RAN == []
    clock.set_now(datetime(2026, 11, 30, 2, 0, 30, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert plugins.steady.RAN == [("job", tenant.id)]
    assert [f for f in jobs.failures if f.name.startswith("steady.")] == []


async def test_a_plugin_job_queued_for_a_district_that_disabled_it_since_is_skipped(jobs, tenant, plugins):
    await enable(tenant, "steady")
    await queue.enqueue("steady.tally", tenant.id, key="first")
    await _disable(tenant, "steady")
    await jobs.run_due()
    assert plugins.steady.RAN == [] and jobs.failures == []
    await enable(tenant, "steady")
    await queue.enqueue("steady.tally", tenant.id, key="second")
    await jobs.run_due()
    assert plugins.steady.RAN == [("job", tenant.id)]


async def test_a_failing_plugin_job_is_counted_and_left_to_the_runner(jobs, tenant, plugins, caplog):
    caplog.set_level(logging.ERROR, logger="gongzhi.plugins")
    await enable(tenant, "broken")
    await queue.enqueue("broken.chore", tenant.id)
    await jobs.run_due()
    assert [(f.name, f.tenant_id, f.error) for f in jobs.failures] == [
        ("broken.chore", tenant.id, "RuntimeError: broken job")]
    broken = await enablement_of(tenant, "broken")
    assert (broken.failures, broken.last_error) == (1, "job broken.chore: RuntimeError: broken job")
    assert f"plugin broken failed in district {tenant.id} (job broken.chore)" in caplog.text
    # Whichever runner runs it sees the error, and retries as it retries any job.
    with pytest.raises(RuntimeError, match="broken job"):
        await run(registry.get("broken.chore"), JobContext(Settings.from_env(), "broken.chore:again"), tenant.id, {})
    assert (await enablement_of(tenant, "broken")).failures == 2


async def test_a_plugin_job_stopped_at_its_timeout_is_counted_too(jobs, tenant, plugins):
    await enable(tenant, "broken")
    await queue.enqueue("broken.stall", tenant.id)
    await jobs.run_due()
    assert [(f.name, f.error) for f in jobs.failures] == [("broken.stall", "timed out")]
    broken = await enablement_of(tenant, "broken")
    assert broken.failures == 1
    assert broken.last_error == "job broken.stall: TimeoutError: stopped before it finished (its timeout is 1 s)"


async def test_a_plugin_handler_stopped_at_its_timeout_is_counted_and_retried(tenant, plugins):
    await enable(tenant, "broken")
    await events.emit(TenantScope(tenant.id), names.FEEDBACK_STATUS_CHANGED, PAYLOAD)
    delivery = (await _deliveries(tenant))["broken.stall_on_status"]
    # What the runner does at the delivery job's timeout (a short one here).
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(events.deliver(Settings.from_env(), tenant.id, delivery.id), timeout=0.5)
    delivery = (await _deliveries(tenant))["broken.stall_on_status"]
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    broken = await enablement_of(tenant, "broken")
    assert broken.failures == 1
    assert broken.last_error == "event handler broken.stall_on_status: TimeoutError: stopped before it finished"
