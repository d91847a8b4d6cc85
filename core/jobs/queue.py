"""Enqueueing jobs: to arq on Redis (``GONGZHI_REDIS_URL``), else to the in-process runner.

A job with a ``key`` has a stable id (``name:tenant:key``): enqueueing it again while the
first is still queued or running is a no-op, in both runners. Jobs are delivered at least
once; the functions are idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from core import db
from core.config import Settings

log = logging.getLogger("gongzhi.jobs")


class Queue(Protocol):
    async def enqueue(self, name: str, tenant_id: int | None, *, job_id: str | None,
                      defer_until: datetime | None, kwargs: dict[str, Any]) -> bool: ...

    async def close(self) -> None: ...


_queue: Queue | None = None


def job_id(name: str, tenant_id: int | None, key: str | int | None) -> str | None:
    return None if key is None else f"{name}:{tenant_id or 0}:{key}"


def configure(settings: Settings) -> Queue:
    """Choose the runner from the settings (replacing any chosen before)."""
    global _queue
    if settings.redis_url:
        from core.jobs.arq_runner import ArqQueue

        _queue = ArqQueue(settings)
    else:
        from core.jobs.in_process import InProcessRunner

        _queue = InProcessRunner(settings)
    return _queue


def for_settings(settings: Settings) -> Queue:
    """The runner for these settings: the one in use if it was made for them, else a new one."""
    if _queue is not None and getattr(_queue, "settings", None) == settings:
        return _queue
    return configure(settings)


def current() -> Queue:
    if _queue is None:
        return configure(Settings.from_env())
    return _queue


def use(queue: Queue | None) -> None:
    """Install a runner (tests), or None to choose again from the environment."""
    global _queue
    _queue = queue


async def enqueue(name: str, tenant_id: int | None, *, key: str | int | None = None,
                  defer_until: datetime | None = None, **kwargs: Any) -> bool:
    """Queue job ``name`` for ``tenant_id``; False when one with the same key is already queued."""
    from core.jobs import registry

    registry.get(name)  # fail early on a typo
    return await current().enqueue(name, tenant_id, job_id=job_id(name, tenant_id, key),
                                   defer_until=defer_until, kwargs=kwargs)


def enqueue_after_commit(name: str, tenant_id: int | None, *, key: str | int | None = None,
                         defer_until: datetime | None = None, **kwargs: Any) -> None:
    """Queue the job once the open transaction commits (never if it rolls back).

    If the queue cannot take it then (Redis down), the write has still happened: the rows it
    wrote are what the sweep finds and queues again, so the failure is only logged.
    """

    async def send() -> None:
        try:
            await enqueue(name, tenant_id, key=key, defer_until=defer_until, **kwargs)
        except Exception:  # the sweep re-enqueues from the database
            log.exception("could not enqueue %s for district %s; the sweep will", name, tenant_id)

    db.after_commit(send)
