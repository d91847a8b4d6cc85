"""The notification jobs: fan-out batches, channel sends, pruning old inbox entries."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.jobs.registry import LONG, cron, job
from core.jobs.sweep import sweeper
from core.notifications import handlers  # noqa: F401  (declares core's event handlers)
from core.notifications import services
from core.notifications.tables import InboxEntry

INBOX_KEEPS = timedelta(days=365)


@job(services.FAN_OUT_JOB, timeout=20)
async def notifications_fan_out(ctx, tenant_id: int, notification_id: int, cursor: int) -> str:
    return await services.fan_out_batch(tenant_id, notification_id, cursor)


@job(services.FAN_OUT_MANY_JOB, timeout=20)
async def notifications_fan_out_many(ctx, tenant_id: int, notification_ids: list[int]) -> int:
    return await services.fan_out_many(tenant_id, notification_ids)


@job(services.SEND_JOB, timeout=20)
async def notifications_send(ctx, tenant_id: int, message_id: int) -> str:
    return await services.send_channel_message(ctx.settings, tenant_id, message_id)


@cron("inbox_prune", timeout=600, queue=LONG, hour=3, minute=30)
async def inbox_prune(ctx, tenant_id: int) -> int:
    """Every night, per district: read inbox entries older than a year go."""
    cutoff = clock.now() - INBOX_KEEPS
    scope = ctx.scope(tenant_id)
    old = await scope.count(InboxEntry).where(InboxEntry.read_at.is_not_null(), InboxEntry.created_at < cutoff)
    if old:
        await scope.delete(InboxEntry).where(InboxEntry.read_at.is_not_null(), InboxEntry.created_at < cutoff)
    return old


@sweeper("notifications")
async def sweep_notifications(before) -> int:
    return await services.requeue_waiting(before)
