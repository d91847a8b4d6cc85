"""The sweep: what the database says is still to do is queued again.

Events, notification fan-outs and channel messages are rows first and jobs second. If a
job never ran (Redis was flushed, a process died before it queued it, the embedded runner
restarted), the row is still waiting; each sweeper finds such rows (older than a grace
period, so that it does not race the normal after-commit enqueue) and queues their jobs
again with the same keys, which the queue de-duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from core import clock
from core.jobs.registry import cron

log = logging.getLogger("gongzhi.jobs")

GRACE_SECONDS = 60
# A sweeper takes the time before which a waiting row counts as forgotten and returns how
# many jobs it queued.
Sweeper = Callable[..., Awaitable[int]]
SWEEPERS: dict[str, Sweeper] = {}


def sweeper(name: str) -> Callable[[Sweeper], Sweeper]:
    def register(function: Sweeper) -> Sweeper:
        SWEEPERS[name] = function
        return function

    return register


async def sweep_all(grace_seconds: int = GRACE_SECONDS) -> dict[str, int]:
    """Run every sweeper; returns how many jobs each queued again."""
    from core.jobs import registry

    registry.load()
    before = clock.now() - timedelta(seconds=grace_seconds)
    counts = {}
    for name, function in SWEEPERS.items():
        counts[name] = await function(before)
        if counts[name]:
            log.info("sweep: %s queued %d job(s) again", name, counts[name])
    return counts


@cron("jobs_sweep", timeout=20, per_tenant=False, second=30)
async def jobs_sweep(ctx, tenant_id: None) -> dict[str, int]:
    """Every minute: queue again whatever waits in the database with no job to run it."""
    return await sweep_all()
