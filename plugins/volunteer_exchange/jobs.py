"""The plugin's scheduled work: every night, the conservation check of the province's points
book (also run by hand: ``gongzhi job run volunteer_exchange.check_books``)."""

from __future__ import annotations

import logging

from core.sdk import LONG

from plugins.volunteer_exchange import points
from plugins.volunteer_exchange.handle import plugin

log = logging.getLogger("gongzhi.volunteer_exchange")


@plugin.cron("check_books", timeout=600, queue=LONG, hour=3, minute=30)
async def check_the_books(ctx, tenant_id: int) -> list[str]:
    """The province's book sums to zero, in each district and in all, and every balance is what
    its transfers make it: the problems, each logged (none: an empty list)."""
    problems = await points.check_books(await plugin.province_of(plugin.scope(tenant_id)))
    for problem in problems:
        log.error("points book: %s", problem)
    return problems
