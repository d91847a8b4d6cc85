"""Scheduled publishing and expiry of notices, and the sweep's part for them."""

from __future__ import annotations

from core import platform_scope
from core.jobs import queue
from core.jobs.registry import LONG, cron, job
from core.jobs.sweep import sweeper
from core.notices import handlers  # noqa: F401  (declares the notice_published handler)
from core.notices import compliance, services


@job(services.PUBLISH_JOB, timeout=20)
async def notices_publish(ctx, tenant_id: int, notice_id: int) -> bool:
    return await services.publish_due(ctx.scope(tenant_id), notice_id)


@job(services.EXPIRE_JOB, timeout=20)
async def notices_expire(ctx, tenant_id: int, notice_id: int) -> bool:
    return await services.expire_due(ctx.scope(tenant_id), notice_id)


@cron("notices_overdue", timeout=300, queue=LONG, hour=8, minute=0)
async def notices_overdue(ctx, tenant_id: int) -> int:
    """Every morning, per district: remind the responsible staff of overdue disclosures."""
    from tenants.services import slug_of

    slug = await slug_of(tenant_id)
    return await compliance.remind_overdue(ctx.scope(tenant_id), slug)


@sweeper("notices")
async def sweep_notices(before) -> int:
    """Scheduled notices whose time has come, and published ones past their expiry."""
    count = 0
    for row in await platform_scope.notices_due(before):
        name = services.PUBLISH_JOB if row["status"] == "scheduled" else services.EXPIRE_JOB
        await queue.enqueue(name, row["tenant_id"], key=row["id"], notice_id=row["id"])
        count += 1
    return count
