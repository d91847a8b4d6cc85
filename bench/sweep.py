"""``gongzhi bench sweep``: the feedback escalation job over every district of a seeded
database, timed.

First, as the database's owner, the open items are put back at one level (their community,
as the seed leaves them, or its street, whose next level has staff to tell) and their
deadlines in the past (all of them, or ``overdue`` of them with the rest a day ahead), and
the table is vacuumed and analysed, so that each run starts alike. Then, timed, what the
cron job ``feedback_escalate`` does at a quarter hour: for each active district in turn (or
``concurrency`` at a time, as several workers would), the job in that district's scope.
The jobs it queues (one inbox fan-out per batch of items, event deliveries if a plugin
listens) are held in memory and, unless told not to, run afterwards and timed on their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

def resident_memory() -> tuple[int, int]:
    """This process's resident memory now and at its peak (since :func:`reset_peak`), in MiB."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line[:5]] = int(line.split()[1]) // 1024
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def reset_peak() -> None:
    """Start the peak of resident memory again from now (Linux: clear_refs 5), so that it is
    the sweep's, not the start-up's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:  # pragma: no cover (not Linux, or not allowed): the process's peak then
        pass


async def make_overdue(owner_url: str, overdue: int | None, *, start: str | None = "community",
                       say: Callable[[str], None] | None = print) -> dict[str, int]:
    """Put the open items back at level ``start`` (``community``: their own, where the seed
    puts them; ``street``: its street; None: where earlier runs left them), unescalated; then
    the deadline that applies to ``overdue`` of them (all when None) in the past, by up to an
    hour, and every other one's a day ahead. Returns the counts."""
    import asyncpg

    from core import clock
    from core.feedback.workflow import OPEN

    now = clock.now()
    connection = await asyncpg.connect(owner_url)
    try:
        await connection.execute("SET app.platform_scope = 'on'")
        states = ["submitted", *OPEN]
        open_items = await connection.fetchval("SELECT count(*) FROM feedback_item WHERE state = ANY($1::text[])",
                                               states)
        late = open_items if overdue is None else min(overdue, open_items)
        if say:
            say(f"{open_items:,} open items: {late:,} of them put past their deadline"
                + (f", all back at their {start}" if start else "") + "…\n")
        placed = ""
        if start is not None:
            party = "community_id" if start == "community" else (
                "(SELECT c.street FROM tenants_community c WHERE c.id = feedback_item.community_id)")
            placed = f"party_type = '{start}', party_id = {party}, escalation_level = 0, "
        # Past: spread over the hour before now, as a real backlog would be.
        past = "CAST($1 AS timestamptz) - (1 + id % 3600) * interval '1 second'"
        due = past if late == open_items else "CAST($1 AS timestamptz) + interval '1 day'"
        update = ("UPDATE feedback_item SET {placed}"
                  "accept_due = CASE WHEN state = 'submitted' THEN {due} ELSE accept_due END, "
                  "resolve_due = CASE WHEN state = 'submitted' THEN resolve_due ELSE {due} END "
                  "WHERE state = ANY($2::text[]) {chosen}")
        await connection.execute(update.format(placed=placed, due=due, chosen=""), now, states)
        if late < open_items:  # a spread over the districts, the same on every run
            await connection.execute(update.format(placed="", due=past, chosen=(
                "AND id IN (SELECT id FROM feedback_item WHERE state = ANY($2::text[]) "
                f"ORDER BY md5(id::text) LIMIT {int(late)})")), now, states)
        await connection.execute("VACUUM ANALYZE feedback_item")
        found = {row["top"]: row["n"] for row in await connection.fetch(
            "SELECT party_type = 'supervision' AS top, count(*) AS n FROM feedback_item "
            "WHERE (state = 'submitted' AND accept_due < $1) OR (state = ANY($2::text[]) AND resolve_due < $1) "
            "GROUP BY 1", now, list(OPEN))}
    finally:
        await connection.close()
    return {"open": open_items, "overdue": sum(found.values()), "at_the_top": found.get(True, 0)}


async def sweep(settings, *, concurrency: int = 1, fan_out: bool = True) -> dict[str, Any]:
    """One run of the escalation job in every active district, timed; then, if ``fan_out``,
    the jobs it queued. ``escalated`` is what the job returns: items moved up (and late
    call-ins noted, which the seed has none of)."""
    from core.jobs import queue, registry
    from core.jobs.context import JobContext, run
    from core.jobs.in_process import InProcessRunner
    from tenants.tables import Tenant, TenantStatus

    runner = InProcessRunner(settings)
    queue.use(runner)  # what the sweep queues waits here, not in Redis
    spec = registry.get("feedback_escalate")
    districts = [row["id"] for row in await Tenant.select(Tenant.id).where(
        Tenant.status == TenantStatus.active.value).order_by(Tenant.id)]
    ctx = JobContext(settings, "bench-sweep")
    waiting = iter(districts)  # shared by the workers: each takes the next district
    moved, slowest = 0, (0.0, 0)

    async def worker() -> None:
        nonlocal moved, slowest
        for tenant_id in waiting:
            started = time.perf_counter()
            done = await run(spec, ctx, tenant_id, {}) or 0
            moved += done
            slowest = max(slowest, (time.perf_counter() - started, tenant_id))

    try:
        reset_peak()
        rss_before = resident_memory()[0]
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        seconds = time.perf_counter() - started
        rss_after, rss_peak = resident_memory()
        result = {"districts": len(districts), "escalated": moved, "seconds": seconds, "timeout": spec.timeout,
                  "rows_per_second": moved / seconds if seconds else 0.0, "slowest_district": slowest,
                  "rss_before": rss_before, "rss_after": rss_after, "rss_peak": rss_peak,
                  "jobs_queued": len(runner.queued())}
        if fan_out:
            started = time.perf_counter()
            result["jobs_run"] = await runner.run_due()
            result["fan_out_seconds"] = time.perf_counter() - started
            result["job_failures"] = len(runner.failures)
            result["rss_peak_fan_out"] = resident_memory()[1]
    finally:
        queue.use(None)
    return result
