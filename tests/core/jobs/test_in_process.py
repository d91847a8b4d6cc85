"""The embedded runner: keys de-duplicate, deferred jobs wait for the clock, timeouts hold,
per-tenant schedules run once per active district and skip the others."""

import asyncio
from datetime import datetime, timedelta

from core import clock
from core.jobs import queue, schedule
from core.jobs.registry import CRONS
from tenants import services as tenants


async def test_a_keyed_job_is_queued_once_until_it_has_run(jobs, declare, tenant):
    ran = []

    async def record(ctx, tenant_id, value):
        ran.append((tenant_id, value))

    declare.job("test_record", record)
    assert await queue.enqueue("test_record", tenant.id, key="a", value=1)
    assert not await queue.enqueue("test_record", tenant.id, key="a", value=2)
    assert await queue.enqueue("test_record", tenant.id, value=3)  # no key: no de-duplication
    await jobs.run_due()
    assert ran == [(tenant.id, 1), (tenant.id, 3)]
    assert await queue.enqueue("test_record", tenant.id, key="a", value=4)  # ran: may be queued again
    await jobs.run_due()
    assert ran[-1] == (tenant.id, 4)


async def test_a_deferred_job_waits_for_the_clock(jobs, declare, tenant):
    ran = []

    async def record(ctx, tenant_id):
        ran.append(clock.now())

    declare.job("test_later", record)
    await queue.enqueue("test_later", tenant.id, defer_until=clock.now() + timedelta(hours=1))
    await jobs.run_due()
    assert ran == []
    clock.advance(timedelta(hours=1, seconds=1))
    await jobs.run_due()
    assert len(ran) == 1


async def test_a_job_past_its_timeout_is_stopped_and_recorded(jobs, declare, tenant):
    async def stuck(ctx, tenant_id):
        await asyncio.sleep(30)

    declare.job("test_stuck", stuck, timeout=1)
    await queue.enqueue("test_stuck", tenant.id)
    await jobs.run_due()
    assert [(f.name, f.error) for f in jobs.failures] == [("test_stuck", "timed out")]


async def test_a_failing_job_does_not_stop_the_others(jobs, declare, tenant):
    ran = []

    async def fail(ctx, tenant_id):
        raise RuntimeError("broken")

    async def record(ctx, tenant_id):
        ran.append(tenant_id)

    declare.job("test_fail", fail)
    declare.job("test_ok", record)
    await queue.enqueue("test_fail", tenant.id)
    await queue.enqueue("test_ok", tenant.id)
    await jobs.run_due()
    assert ran == [tenant.id] and jobs.failures[0].error == "RuntimeError: broken"


def test_schedules_are_read_in_china_standard_time():
    spec = CRONS["inbox_prune"]  # 03:30 every day
    after = datetime(2026, 11, 30, 3, 31, tzinfo=clock.CHINA)
    assert schedule.next_run(spec, after.astimezone(clock.CHINA)) == datetime(2026, 12, 1, 3, 30, tzinfo=clock.CHINA)
    assert schedule.next_run(spec, datetime(2026, 11, 30, 19, 0, tzinfo=clock.CHINA)).utcoffset() is not None
    assert schedule.slot_key(datetime(2026, 11, 30, 19, 30, tzinfo=clock.CHINA)) == "20261130T1930"


async def test_a_per_tenant_schedule_runs_once_per_active_district(jobs, declare, tenant, other_tenant, make_tenant):
    suspended = await make_tenant("xingping", "兴平市", "610481", "active")
    await tenants.change_status("xingping", "suspend", "整改")
    pending = await make_tenant("liquan", "礼泉县", "610425", "pending")
    ran = []

    async def nightly(ctx, tenant_id):
        ran.append(tenant_id)

    declare.cron("test_nightly", nightly, hour=2, minute=0)
    clock.set_now(datetime(2026, 11, 30, 1, 0, tzinfo=clock.CHINA))
    await jobs.run_due()  # the runner learns the schedule: nothing is due yet
    assert ran == []
    # Three days pass at once: the schedule runs once (its latest slot), not three times.
    clock.set_now(datetime(2026, 12, 3, 2, 0, 30, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert sorted(ran) == sorted([tenant.id, other_tenant.id])
    assert suspended.id not in ran and pending.id not in ran
    await jobs.run_due()
    assert len(ran) == 2  # the same slot does not run again


async def test_a_district_suspended_after_its_run_was_queued_is_skipped(jobs, declare, tenant, other_tenant):
    ran = []

    async def nightly(ctx, tenant_id):
        ran.append(tenant_id)

    declare.cron("test_nightly", nightly, hour=2, minute=0)
    await schedule.dispatch(CRONS["test_nightly"], clock.now())
    await tenants.change_status("weicheng", "suspend", "整改")
    await jobs.run_due()
    assert ran == [tenant.id]
