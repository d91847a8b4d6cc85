"""The feedback loop's scheduled work."""

from __future__ import annotations

from core.feedback import workflow
from core.jobs.registry import cron


@cron("feedback_escalate", timeout=20, minute={0, 15, 30, 45})
async def feedback_escalate(ctx, tenant_id: int) -> int:
    """Every quarter hour, per district: items past a deadline go one level up."""
    from tenants.tables import Tenant

    slug = (await Tenant.select(Tenant.slug).where(Tenant.id == tenant_id).first())["slug"]
    return await workflow.escalate_overdue(ctx.scope(tenant_id), slug)
