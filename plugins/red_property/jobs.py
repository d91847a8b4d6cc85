"""What the plugin does when core tells it something, and on its schedule: the firm's staff
learn of each new repair or complaint routed to their firm (of an emergency urgently, on every
channel); on the first of each month the bills are made and the firms rated."""

from __future__ import annotations

from core.sdk import LONG

from plugins.red_property import fees, ratings, repairs
from plugins.red_property.handle import plugin


@plugin.handles("feedback_submitted")
async def tell_the_firm(event) -> None:
    category = event.payload.get("category")
    if category in repairs.QUEUED:
        await repairs.tell_firm(event.scope, int(event.payload["feedback_id"]), category)


@plugin.cron("bill", timeout=600, queue=LONG, day=1, hour=0, minute=5)
async def bill_the_month(ctx, tenant_id: int) -> int:
    """On the first of each month (China time), each unit's bill in every compound with a fee
    schedule; a unit already billed is left alone, so a second run makes nothing. Returns how
    many bills were made."""
    return await fees.issue_bills(plugin.scope(tenant_id))


@plugin.cron("rate", timeout=600, queue=LONG, day=1, hour=2, minute=0)
async def rate_the_firms(ctx, tenant_id: int) -> int:
    """On the first of each month (China time), each firm's rating for the month before; a
    firm rated for it is left alone. Returns how many ratings were made."""
    return await ratings.rate(plugin.scope(tenant_id))
