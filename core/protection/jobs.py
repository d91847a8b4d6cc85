"""Protection's scheduled work: erasing sensitive data past its retention, daily, per district."""

from __future__ import annotations

from core.jobs.registry import LONG, cron
from core.protection import retention


@cron("sensitive_data_erase", timeout=1800, queue=LONG, hour=3, minute=40)
async def sensitive_data_erase(ctx, tenant_id: int) -> dict[str, int]:
    """At 03:40 every night, per district: sealed values older than the district keeps their
    kind are erased (``{kind: how many}``; a second run the same night erases nothing)."""
    return await retention.enforce(ctx.scope(tenant_id))
