"""The referral network's clock: every minute, in each district that has the service
enabled, overdue referrals escalate (``network.escalate``). An urgent referral's deadline is
minutes, so the sweep runs every minute; a repeated or retried run escalates nothing twice."""

from __future__ import annotations

from plugins.mental_health import network
from plugins.mental_health.handle import plugin


@plugin.cron("escalate", timeout=20, minute=set(range(60)))
async def escalate(ctx, tenant_id: int) -> int:
    """Returns how many referrals were escalated."""
    return await network.escalate(plugin.scope(tenant_id))
