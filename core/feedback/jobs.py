"""The feedback loop's scheduled work."""

from __future__ import annotations

from core.feedback import call_ins, workflow
from core.jobs.registry import cron


@cron("feedback_escalate", timeout=20, minute={0, 15, 30, 45})
async def feedback_escalate(ctx, tenant_id: int) -> int:
    """Every quarter hour, per district: items past a deadline go one level up, and district
    supervision hears of departments that did not acknowledge a call-in in time."""
    from tenants.services import slug_of

    slug = await slug_of(tenant_id)
    scope = ctx.scope(tenant_id)
    return await workflow.escalate_overdue(scope, slug) + await call_ins.note_overdue(scope, slug)
