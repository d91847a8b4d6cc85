"""arq on Redis: the production runner (``gongzhi worker``), and the queue the app enqueues to.

Two queues, each served by its own arq worker: ``short`` (timeouts of at most 20 s, so a job
lost with a crashed worker runs again about 30 s later, when its in-progress key expires) and
``long``. Jobs keep no result (``keep_result=0``): a finished job's id can be queued again by
the sweep, while a queued or running one cannot be queued twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime
from typing import Any

from arq import create_pool, cron as arq_cron, func
from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError
from arq.worker import Worker

from core import clock, db
from core.config import Settings
from core.jobs import registry, schedule
from core.jobs.context import JobContext, run

log = logging.getLogger("gongzhi.jobs")


def queue_name(settings: Settings, queue: str) -> str:
    return f"{settings.redis_prefix}:queue:{queue}"


class ArqQueue:
    """Enqueues to Redis; the pool opens on first use, in the loop that uses it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ArqRedis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def pool(self) -> ArqRedis:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            # Not tried again and again, and no call waits longer than GONGZHI_REDIS_TIMEOUT: a
            # job that cannot be queued now is queued by the sweep later (core.jobs.sweep), and
            # the request that wrote it must not wait for Redis to come back.
            redis = RedisSettings.from_dsn(self.settings.redis_url)
            timeout = self.settings.redis_timeout
            self._pool = ArqRedis(host=redis.host, port=redis.port, db=redis.database, username=redis.username,
                                  password=redis.password, ssl=redis.ssl, socket_connect_timeout=timeout,
                                  socket_timeout=timeout, encoding="utf8",
                                  default_queue_name=queue_name(self.settings, registry.SHORT))
            self._loop = loop
        return self._pool

    async def enqueue(self, name: str, tenant_id: int | None, *, job_id: str | None,
                      defer_until: datetime | None, kwargs: dict[str, Any]) -> bool:
        spec = registry.get(name)
        pool = await self.pool()
        try:
            job = await pool.enqueue_job(
                name, tenant_id,
                _job_id=f"{self.settings.redis_prefix}:{job_id}" if job_id else None,
                _queue_name=queue_name(self.settings, spec.queue),
                _defer_until=defer_until,
                **kwargs,
            )
        except (RedisError, OSError):
            await self.close()  # the next call connects afresh
            raise
        return job is not None

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


def _entry(spec: registry.JobSpec):
    async def entry(ctx: dict[str, Any], tenant_id: int | None, **kwargs: Any) -> Any:
        job = JobContext(ctx["settings"], ctx.get("job_id", ""), ctx.get("job_try", 1))
        return await run(spec, job, tenant_id, kwargs)

    entry.__qualname__ = entry.__name__ = spec.name
    return entry


def _cron_entry(spec: registry.CronSpec):
    async def entry(ctx: dict[str, Any]) -> Any:
        due = clock.now().replace(second=0, microsecond=0)
        if spec.per_tenant:
            return await schedule.dispatch(spec, due)
        job = JobContext(ctx["settings"], ctx.get("job_id", ""), ctx.get("job_try", 1))
        return await run(spec.job, job, None, {})

    entry.__qualname__ = entry.__name__ = f"cron_{spec.name}"
    return entry


def build_worker(settings: Settings, queue: str, pool: ArqRedis, *, burst: bool = False) -> Worker:
    """An arq worker for one queue. The short queue's worker also fires the schedules
    (each slot once across all workers: arq's cron jobs are unique per slot)."""
    registry.load()
    functions = [func(_entry(spec), name=spec.name, timeout=spec.timeout, keep_result=0)
                 for spec in registry.JOBS.values() if spec.queue == queue]
    crons = []
    if queue == registry.SHORT:
        crons = [arq_cron(_cron_entry(spec), name=f"cron:{spec.name}", timeout=registry.SHORT_TIMEOUT_LIMIT,
                          unique=True, keep_result=0, **spec.schedule)
                 for spec in registry.CRONS.values()]

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings

    return Worker(
        functions=functions,
        cron_jobs=crons,
        queue_name=queue_name(settings, queue),
        redis_pool=pool,
        burst=burst,
        handle_signals=False,
        keep_result=0,
        max_jobs=10,
        poll_delay=0.5,
        timezone=clock.CHINA,
        on_startup=on_startup,
    )


# How long a worker that lost Redis waits before it connects again: doubling, up to the last.
RECONNECT_DELAYS = (1, 2, 5, 10)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def serve_queue(settings: Settings, queue: str, stop: asyncio.Event) -> None:
    """One queue's worker until ``stop``. When Redis goes away the worker is made again, after a
    pause, until Redis answers: what was queued waits in Redis, and what could not be queued is
    queued again by the sweep, so nothing is lost while the process stays up."""
    failures = 0
    while not stop.is_set():
        worker, started = None, loop_time()
        try:
            worker = build_worker(settings, queue, await create_pool(RedisSettings.from_dsn(settings.redis_url)))
            await worker.main()
            return
        except (RedisError, OSError) as error:
            if loop_time() - started > 60:  # it had been serving: a new outage starts from the first pause
                failures = 0
            delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
            failures += 1
            log.warning("worker for %s lost Redis (%r); connecting again in %s s", queue_name(settings, queue),
                        error, delay)
        finally:
            if worker is not None:
                try:
                    await worker.close()
                except (RedisError, OSError):  # the connection is gone already
                    pass
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except asyncio.TimeoutError:
            pass


async def run_workers(settings: Settings, queues: tuple[str, ...]) -> None:
    """``gongzhi worker``: serve the queues until SIGINT or SIGTERM."""
    from core.jobs import queue as job_queue

    db.configure(settings.database_url)
    await db.start()
    job_queue.configure(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(serve_queue(settings, queue, stop)) for queue in queues]
    log.info("worker serving %s", ", ".join(queue_name(settings, q) for q in queues))
    try:
        done, _ = await asyncio.wait([*tasks, asyncio.create_task(stop.wait())],
                                     return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task in tasks and task.exception():
                raise task.exception()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await job_queue.current().close()
        await db.stop()
