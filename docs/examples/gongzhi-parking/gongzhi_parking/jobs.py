"""The allocation on schedule: every morning at 06:00 (China time) the platform runs it once
for each district that has the plugin enabled (and skips the others); it allocates on the
day of the month the district chose (the ``allocation_day`` setting). Running twice in a
month gives out nothing twice, so a retried or repeated run is harmless."""

from __future__ import annotations

from core.sdk import LONG

from gongzhi_parking import services
from gongzhi_parking.handle import plugin


@plugin.cron("allocate", timeout=300, queue=LONG, hour=6, minute=0)
async def allocate(ctx, tenant_id: int) -> int:
    """Returns how many applications were given a space."""
    return len(await services.allocate_if_due(plugin.scope(tenant_id)))
