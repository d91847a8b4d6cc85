"""When scheduled jobs are due, and which districts a per-tenant one runs for."""

from __future__ import annotations

from datetime import datetime

from arq.cron import next_cron

from core import clock
from core.jobs.registry import CronSpec


def next_run(spec: CronSpec, after: datetime) -> datetime:
    """The first time after ``after`` that the schedule names (read in China Standard Time), in UTC."""
    local = clock.local(after).replace(microsecond=0)
    return next_cron(local, microsecond=0, **spec.schedule).astimezone(after.tzinfo)


def slot_key(moment: datetime) -> str:
    """A run's key: the minute it was due, so each slot runs once per district."""
    return clock.local(moment).strftime("%Y%m%dT%H%M")


async def target_tenants(spec: CronSpec) -> list[int]:
    """The districts a per-tenant scheduled job runs for: every active one, or for a plugin's
    job every active one that has the plugin enabled."""
    from tenants.tables import Tenant, TenantStatus

    if spec.plugin is not None:
        from core import platform_scope

        return await platform_scope.districts_with_plugin(spec.plugin)
    rows = await Tenant.select(Tenant.id).where(Tenant.status == TenantStatus.active).order_by(Tenant.id)
    return [row["id"] for row in rows]


async def dispatch(spec: CronSpec, due: datetime) -> int:
    """Queue one run of a per-tenant scheduled job for each of its districts; returns how many."""
    from core.jobs import queue

    count = 0
    for tenant_id in await target_tenants(spec):
        await queue.enqueue(spec.name, tenant_id, key=slot_key(due))
        count += 1
    return count
