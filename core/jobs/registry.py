"""The declarations of every job and scheduled job.

A job is ``async def name(ctx: JobContext, tenant_id: int | None, **kwargs)``; its keyword
arguments are plain values (ints, strings, lists, dicts). Short jobs (the default) run on the
``short`` queue with a timeout of at most :data:`SHORT_TIMEOUT_LIMIT` seconds, so that a job
lost with a crashed worker is picked up again within about half a minute (arq retries it only
once its in-progress key, which lasts the worker's largest timeout plus 10 s, has expired).
Anything that may take longer goes on the ``long`` queue, served by its own arq worker.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

SHORT = "short"
LONG = "long"
QUEUES = (SHORT, LONG)
SHORT_TIMEOUT_LIMIT = 20
LONG_TIMEOUT_LIMIT = 3600

JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    timeout: int
    queue: str = SHORT
    # Per-tenant jobs do not run for a district that is not active (pending, suspended…).
    needs_active_tenant: bool = False
    # A plugin's job runs only for districts that have the plugin enabled.
    plugin: str | None = None


@dataclass(frozen=True)
class CronSpec:
    """A scheduled job. ``per_tenant``: it runs once per active district, each run in that
    district's scope; otherwise once per slot with ``tenant_id=None``. The schedule uses
    arq's cron fields, read in China Standard Time."""

    job: JobSpec
    per_tenant: bool
    schedule: dict[str, Any] = field(default_factory=dict)
    # Set by the plugin host for a plugin's cron jobs: only districts that enabled it.
    plugin: str | None = None

    @property
    def name(self) -> str:
        return self.job.name


JOBS: dict[str, JobSpec] = {}
CRONS: dict[str, CronSpec] = {}

# The modules that declare core's jobs; imported once, by load().
JOB_MODULES = ("core.jobs.sweep", "core.events.jobs", "core.notifications.jobs", "core.notices.jobs",
               "core.feedback.jobs", "core.appointments.jobs", "core.protection.jobs")


def _check(name: str, timeout: int, queue: str) -> None:
    if queue not in QUEUES:
        raise ValueError(f"job {name}: queue must be one of {QUEUES}")
    limit = SHORT_TIMEOUT_LIMIT if queue == SHORT else LONG_TIMEOUT_LIMIT
    if not 0 < timeout <= limit:
        raise ValueError(f"job {name}: a {queue} job's timeout is 1–{limit} s, not {timeout}")
    if name in JOBS:
        raise ValueError(f"job {name} is declared twice")


def job(name: str, *, timeout: int, queue: str = SHORT) -> Callable[[JobFunction], JobFunction]:
    """Declare a job (enqueued by name with :func:`core.jobs.queue.enqueue`)."""

    def declare(function: JobFunction) -> JobFunction:
        _check(name, timeout, queue)
        JOBS[name] = JobSpec(name, function, timeout, queue)
        return function

    return declare


def cron(name: str, *, timeout: int, queue: str = SHORT, per_tenant: bool = True,
         **schedule: Any) -> Callable[[JobFunction], JobFunction]:
    """Declare a scheduled job, e.g. ``@cron("inbox_prune", timeout=600, queue=LONG, hour=3, minute=30)``.

    The schedule takes arq's fields (month, day, weekday, hour, minute, second), each an int
    or a set of ints; ``second`` defaults to 0.
    """
    allowed = {"month", "day", "weekday", "hour", "minute", "second"}
    if not set(schedule) <= allowed:
        raise ValueError(f"cron {name}: unknown schedule fields {set(schedule) - allowed}")
    schedule.setdefault("second", 0)

    def declare(function: JobFunction) -> JobFunction:
        _check(name, timeout, queue)
        spec = JobSpec(name, function, timeout, queue, needs_active_tenant=per_tenant)
        JOBS[name] = spec
        CRONS[name] = CronSpec(spec, per_tenant, schedule)
        return function

    return declare


_loaded = False


def load() -> None:
    """Import every module that declares jobs (idempotent)."""
    global _loaded
    if not _loaded:
        for module in JOB_MODULES:
            importlib.import_module(module)
        _loaded = True
        from core.plugins.host import host

        host()  # plugins declare their jobs and handlers as they are loaded


def declare_plugin_job(plugin: str, function: JobFunction, *, name: str, timeout: int, queue: str = SHORT,
                       cron: dict[str, Any] | None = None, per_tenant: bool = True) -> None:
    """Register a job a plugin declared (``plugin.job`` / ``plugin.cron``); its name is
    ``<plugin>.<name>``."""
    full_name = f"{plugin}.{name}"
    _check(full_name, timeout, queue)
    spec = JobSpec(full_name, function, timeout, queue, needs_active_tenant=cron is not None and per_tenant,
                   plugin=plugin)
    JOBS[full_name] = spec
    if cron is not None:
        schedule = dict(cron)
        schedule.setdefault("second", 0)
        CRONS[full_name] = CronSpec(spec, per_tenant, schedule, plugin=plugin)


def forget_plugin(plugin: str) -> None:
    for name in [n for n, spec in JOBS.items() if spec.plugin == plugin]:
        JOBS.pop(name)
        CRONS.pop(name, None)


def get(name: str) -> JobSpec:
    load()
    try:
        return JOBS[name]
    except KeyError:
        raise LookupError(f"no job is declared as {name!r}") from None
