"""The job that delivers an event to one handler, and the sweep's part for events."""

from __future__ import annotations

from core.events import services
from core.jobs.registry import job
from core.jobs.sweep import sweeper


@job(services.DELIVER_JOB, timeout=20)
async def events_deliver(ctx, tenant_id: int, delivery_id: int) -> str:
    return await services.deliver(ctx.settings, tenant_id, delivery_id)


@sweeper("events")
async def sweep_events(before) -> int:
    return await services.requeue_waiting(before)
