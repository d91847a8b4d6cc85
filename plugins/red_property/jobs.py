"""What the plugin does when core tells it something: the firm's staff learn of each new
repair or complaint routed to their firm (of an emergency urgently, on every channel)."""

from __future__ import annotations

from plugins.red_property import repairs
from plugins.red_property.handle import plugin


@plugin.handles("feedback_submitted")
async def tell_the_firm(event) -> None:
    category = event.payload.get("category")
    if category in repairs.KINDS:
        await repairs.tell_firm(event.scope, int(event.payload["feedback_id"]), category)
