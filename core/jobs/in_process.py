"""The embedded runner: the same job functions and schedule as arq, inside the web process.

Used when no Redis is configured (SQLite, one process). Queued jobs live in memory: what
must survive a restart is in the database and the sweep queues it again. Tests and the test
clock call :meth:`InProcessRunner.run_due` to run everything that is due, deterministically.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core import clock
from core.config import Settings
from core.jobs import registry, schedule
from core.jobs.context import JobContext, run

log = logging.getLogger("gongzhi.jobs")

POLL_SECONDS = 1.0


@dataclass(order=True)
class _Queued:
    run_at: datetime
    order: int
    job_id: str = field(compare=False)
    name: str = field(compare=False)
    tenant_id: int | None = field(compare=False)
    kwargs: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Failure:
    job_id: str
    name: str
    tenant_id: int | None
    error: str


class InProcessRunner:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queued: dict[str, _Queued] = {}
        self._running: set[str] = set()
        self._counter = itertools.count()
        self._next_cron: dict[str, datetime] = {}
        self._lock: asyncio.Lock | None = None
        self._task: asyncio.Task | None = None
        self.failures: list[Failure] = []
        self.completed = 0

    # The queue ---------------------------------------------------------------------

    async def enqueue(self, name: str, tenant_id: int | None, *, job_id: str | None,
                      defer_until: datetime | None, kwargs: dict[str, Any]) -> bool:
        order = next(self._counter)
        job_id = job_id or f"{name}:{tenant_id or 0}:~{order}"
        if job_id in self._queued or job_id in self._running:
            return False
        self._queued[job_id] = _Queued(defer_until or clock.now(), order, job_id, name, tenant_id, kwargs)
        return True

    async def close(self) -> None:
        await self.stop()

    def queued(self) -> list[str]:
        """The ids of the jobs waiting (for tests and the test clock's answer)."""
        return sorted(self._queued, key=lambda job_id: self._queued[job_id])

    def clear(self) -> None:
        """Forget every queued job, as a restart would."""
        self._queued.clear()
        self._next_cron.clear()

    # Running -----------------------------------------------------------------------

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def run_due(self) -> int:
        """Dispatch the scheduled jobs that are due, then run every queued job that is due
        (including those the runs queue) until none is left. Returns how many ran."""
        async with self._guard():
            await self._dispatch_crons()
            ran = 0
            while True:
                now = clock.now()
                due = sorted(item for item in self._queued.values() if item.run_at <= now)
                if not due:
                    return ran
                for item in due:
                    await self._run(item)
                    ran += 1

    async def _dispatch_crons(self) -> None:
        registry.load()
        now = clock.now()
        for spec in registry.CRONS.values():
            due = self._next_cron.get(spec.name)
            if due is None:
                # First look after start: schedule from now (a restart does not replay slots).
                self._next_cron[spec.name] = schedule.next_run(spec, now)
                continue
            if due > now:
                continue
            # However far the clock jumped, a schedule runs once: its latest slot.
            self._next_cron[spec.name] = schedule.next_run(spec, now)
            if spec.per_tenant:
                await schedule.dispatch(spec, due)
            else:
                await self.enqueue(spec.name, None, job_id=f"{spec.name}:0:{schedule.slot_key(due)}",
                                   defer_until=None, kwargs={})

    async def _run(self, item: _Queued) -> None:
        del self._queued[item.job_id]
        self._running.add(item.job_id)
        spec = registry.get(item.name)
        ctx = JobContext(self.settings, item.job_id)
        try:
            await asyncio.wait_for(run(spec, ctx, item.tenant_id, item.kwargs), timeout=spec.timeout)
            self.completed += 1
        except Exception as error:  # logged and recorded; what must be retried is swept
            reason = "timed out" if isinstance(error, TimeoutError) else f"{type(error).__name__}: {error}"
            log.exception("job %s failed: %s", item.job_id, reason)
            self.failures.append(Failure(item.job_id, item.name, item.tenant_id, reason))
        finally:
            self._running.discard(item.job_id)

    # The background loop (``gongzhi serve`` without Redis) ---------------------------

    async def start(self) -> None:
        """Run what is due every second, in the background, until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="gongzhi-jobs")

    async def _loop(self) -> None:
        from core.jobs import sweep

        # Whatever was queued before a restart was lost with the process: queue it again now.
        await sweep.sweep_all(grace_seconds=0)
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("the in-process job loop failed; it goes on")
            await asyncio.sleep(POLL_SECONDS)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
