"""The feedback loop's scheduled work."""

from __future__ import annotations

from core.feedback import workflow
from core.jobs.registry import cron


@cron("feedback_escalate", timeout=20, minute={0, 15, 30, 45})
async def feedback_escalate(ctx, tenant_id: int) -> int:
    """Every quarter hour, per district: items past a deadline go one level up."""
    from tenants.services import slug_of

    slug = await slug_of(tenant_id)
    return await workflow.escalate_overdue(ctx.scope(tenant_id), slug)
