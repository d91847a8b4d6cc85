"""Jobs: slow or scheduled work, run by arq on Redis or, embedded, in the web process.

Declare a job with :func:`core.jobs.registry.job` and a scheduled one with
:func:`core.jobs.registry.cron`; enqueue with :func:`core.jobs.queue.enqueue`. Every job takes
its tenant explicitly, has an explicit timeout and is idempotent: delivery is at least once.
What must never be lost is written to the database first (events, notifications) and swept
back into the queue if the queue loses it.
"""
