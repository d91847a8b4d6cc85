"""arq on a real Redis (PostgreSQL tier): a flushed Redis loses no event, and a worker
process killed mid-job leaves the job done exactly once in effect after a restart."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from core import clock
from core.config import Settings
from core.events import handlers, services as events
from core.events.tables import EventDelivery
from core.i18n import Message
from core.jobs import queue, registry, sweep
from core.jobs.arq_runner import ArqQueue, build_worker, queue_name
from core.notifications import services as notifications
from core.notifications.audience import Audience
from core.notifications.tables import Notification
from core.tenancy import TenantScope
from tenants.tables import Street
from tests.seeding import admin_url, seed_residents

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
async def arq_settings(redis, database):
    """Settings for jobs on Redis, in a database number and prefix of this test's own."""
    from redis.asyncio import Redis

    url = redis.rsplit("/", 1)[0] + "/13"
    settings = replace(Settings.from_env(), redis_url=url, redis_prefix=f"gongzhi-test-{secrets.token_hex(4)}")
    arq = ArqQueue(settings)
    queue.use(arq)
    client = Redis.from_url(url)
    await client.flushdb()
    yield settings, client
    await client.flushdb()
    await client.aclose()
    await arq.close()


async def run_worker_until_idle(settings) -> None:
    """The short queue's jobs, run by an arq worker in this process until none is left."""
    from arq import create_pool
    from arq.connections import RedisSettings

    worker = build_worker(settings, registry.SHORT, await create_pool(RedisSettings.from_dsn(settings.redis_url)),
                          burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


@pytest.fixture
def street_handler():
    async def name_a_street(event):
        await event.scope.create(Street, name=event.payload["street"])

    handlers.for_event("test_happened")
    handlers.handles("test_happened", name="test.name_a_street")(name_a_street)
    yield
    handlers.HANDLERS["test_happened"].pop("test.name_a_street", None)


async def test_a_flushed_redis_loses_no_event(tenant, arq_settings, street_handler):
    settings, client = arq_settings
    scope = TenantScope(tenant.id)
    await events.emit(scope, "test_happened", {"street": "人民街道"})
    assert await client.zcard(queue_name(settings, registry.SHORT)) == 1
    await client.flushdb()  # Redis loses everything
    await run_worker_until_idle(settings)
    assert await scope.count(Street) == 0
    clock.advance(timedelta(seconds=sweep.GRACE_SECONDS + 1))
    assert (await sweep.sweep_all())["events"] == 1
    await run_worker_until_idle(settings)
    assert [s.name for s in await scope.objects(Street)] == ["人民街道"]
    assert (await scope.objects(EventDelivery).first()).status == "done"
    # A second sweep finds nothing to do, and a duplicate delivery changes nothing.
    assert (await sweep.sweep_all())["events"] == 0
    await run_worker_until_idle(settings)
    assert await scope.count(Street) == 1


def _worker(settings, log_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATABASE_URL=os.environ["GONGZHI_DATABASE_URL"], GONGZHI_REDIS_URL=settings.redis_url,
               GONGZHI_REDIS_PREFIX=settings.redis_prefix, GONGZHI_VAR_DIR=str(settings.var_dir),
               LANG="en_US.UTF-8")
    return subprocess.Popen([sys.executable, "-m", "core.cli", "worker", "--queue", "short"], env=env,
                            stdout=log_path.open("a"), stderr=subprocess.STDOUT)


async def _wait_for(check, seconds: float, what: str, log_path):
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n" + log_path.read_text()[-3000:])
        await asyncio.sleep(0.2)


async def test_a_worker_killed_mid_job_finishes_it_exactly_once_after_restart(tenant, arq_settings, tmp_path):
    import asyncpg

    settings, _client = arq_settings
    batch = notifications.FAN_OUT_BATCH
    people = await seed_residents(tenant.id, batch * 2 + 500)
    scope = TenantScope(tenant.id)
    notification = await notifications.notify(scope, Audience.district_members(roles=("resident",)), kind="test",
                                               title=Message("Messages"))
    admin = await asyncpg.connect(admin_url())
    log_path = tmp_path / "worker.log"

    async def entries() -> int:
        return await admin.fetchval("SELECT count(*) FROM core_inbox_entry WHERE notification = $1", notification.id)

    async def blocked_on_our_lock() -> bool:
        return bool(await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"))

    # Hold the second batch up: an uncommitted entry for one of its people makes the worker's
    # insert wait on the unique index, in the middle of the job.
    blocker = await asyncpg.connect(admin_url())
    await blocker.execute("BEGIN")
    await blocker.execute(
        "INSERT INTO core_inbox_entry (tenant_id, notification, person, created_at) VALUES ($1, $2, $3, now())",
        tenant.id, notification.id, people[batch + 10])
    worker = _worker(settings, log_path)
    try:
        await _wait_for(lambda: _both(entries, blocked_on_our_lock, batch), 60, "the second batch to block", log_path)
        worker.send_signal(signal.SIGKILL)  # a real crash: no clean-up, no goodbye to Redis
        worker.wait(timeout=10)
        await blocker.close()  # its transaction rolls back
        assert await entries() == batch  # the first batch only: the second died with the worker
        # A new worker takes the job up again once the dead one's in-progress key expires
        # (its timeout + 10 s): about half a minute.
        worker = _worker(settings, log_path)
        await _wait_for(lambda: _finished(admin, notification.id), 90, "the fan-out to finish", log_path)
    finally:
        if not blocker.is_closed():
            await blocker.close()
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    rows = await admin.fetchrow(
        "SELECT count(*) AS entries, count(DISTINCT person) AS people FROM core_inbox_entry WHERE notification = $1",
        notification.id)
    assert (rows["entries"], rows["people"]) == (len(people), len(people))
    assert (await scope.get(Notification, notification.id)).recipients == len(people)
    await admin.close()


async def _both(entries, blocked, batch) -> bool:
    return await entries() == batch and await blocked()


async def _finished(admin, notification_id) -> bool:
    return await admin.fetchval("SELECT fanned_out_at IS NOT NULL FROM core_notification WHERE id = $1",
                                notification_id)
