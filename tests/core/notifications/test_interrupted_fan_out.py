"""The embedded runner stopped in the middle of a fan-out batch (its task cancelled, as when
the process goes down) leaves that batch undone; after a restart the sweep finds the
fan-out, and every person ends with exactly one inbox entry."""

import asyncio
from datetime import timedelta

from core import clock
from core.config import Settings
from core.i18n import Message
from core.jobs import queue, sweep
from core.jobs.in_process import InProcessRunner
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry, Notification
from core.tenancy import TenantScope
from core.accounts import services as accounts


async def test_a_fan_out_cut_off_mid_batch_completes_exactly_once_after_restart(tenant, make_person, jobs,
                                                                                 monkeypatch):
    monkeypatch.setattr(services, "FAN_OUT_BATCH", 3)
    scope = TenantScope(tenant.id)
    people = [await make_person(f"居民{i}", f"1380000{i:04d}") for i in range(1, 8)]
    for person in people:
        await accounts.add_membership(scope, person.id, ["resident"])
    await jobs.run_due()
    notification = await services.notify(scope, Audience.district_members(roles=("resident",)), kind="test",
                                         title=Message("Messages"))
    planned = services._plan_channel_messages
    inside_second_batch = asyncio.Event()
    calls = 0

    async def stop_in_the_second_batch(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:  # the second batch has inserted its entries, not yet committed
            inside_second_batch.set()
            await asyncio.Event().wait()
        return await planned(*args, **kwargs)

    monkeypatch.setattr(services, "_plan_channel_messages", stop_in_the_second_batch)
    running = asyncio.create_task(jobs.run_due())
    await asyncio.wait_for(inside_second_batch.wait(), timeout=10)
    running.cancel()  # the process goes down
    await asyncio.gather(running, return_exceptions=True)

    entries = await scope.select(InboxEntry, InboxEntry.person).where(InboxEntry.notification == notification.id)
    assert sorted(e["person"] for e in entries) == [p.id for p in people[:3]]  # batch 1 only
    row = await scope.get(Notification, notification.id)
    assert row.fan_out_cursor == people[2].id and row.fanned_out_at is None

    # A restart: a new runner with an empty queue; its first sweep queues the fan-out again.
    monkeypatch.setattr(services, "_plan_channel_messages", planned)
    restarted = InProcessRunner(Settings.from_env())
    queue.use(restarted)
    clock.advance(timedelta(seconds=1))
    assert (await sweep.sweep_all(grace_seconds=0))["notifications"] == 1
    await restarted.run_due()
    entries = await scope.select(InboxEntry, InboxEntry.person).where(InboxEntry.notification == notification.id)
    assert sorted(e["person"] for e in entries) == sorted(p.id for p in people)
    row = await scope.get(Notification, notification.id)
    assert row.fanned_out_at is not None and row.recipients == len(people)
    assert not restarted.failures
