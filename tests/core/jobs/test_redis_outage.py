"""Redis out of reach: the app and `gongzhi worker` reach Redis through a TCP proxy that the
test cuts and hangs. Pages that do not need Redis keep working (log-in too: its throttle counts
in the database meanwhile); what a resident submits is saved, and the job it should have queued
is queued by the sweep once Redis is back, and runs; the worker waits Redis out and goes on."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.config import Settings
from core.feedback import categories
from core.feedback.tables import FeedbackItem
from core.jobs import queue, sweep
from core.notifications.tables import InboxEntry, Notification
from core.tenancy import TenantScope
from core.throttle import LOGIN_PER_ACCOUNT, Throttle
from tenants.tables import Community, Grid, Street
from tests import faults
from tests.core.jobs.test_arq import run_worker_until_idle
from tests.http import csrf_token, http_client

pytestmark = [pytest.mark.redis]

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


@pytest.fixture
def proxy(redis):
    with faults.tcp_proxy(redis, 6379) as running:
        yield running


@pytest.fixture
async def settings(redis, proxy):
    """The app's settings: Redis through the proxy, in a database number and prefix of its own."""
    from redis.asyncio import Redis

    url = redis.rsplit("/", 1)[0] + "/12"
    settings = replace(Settings.from_env(), redis_url=proxy.url(url), redis_timeout=0.5,
                       redis_prefix=f"gongzhi-outage-{secrets.token_hex(4)}")
    direct = Redis.from_url(url)
    yield settings
    keys = await direct.keys(f"{settings.redis_prefix}:*")
    if keys:
        await direct.delete(*keys)
    await direct.aclose()
    await queue.current().close()


@pytest.fixture
async def place(tenant, make_person):
    scope = TenantScope(tenant.id)
    await categories.ensure_registered(scope)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    resident = await make_person("刘芳", "13900000021")
    await accounts.add_membership(scope, resident.id, ["resident"], "grid", grid.id)
    worker = await make_person("张伟", "13900000012")
    await accounts.add_membership(scope, worker.id, ["grid_worker"], "grid", grid.id)
    sanitation = next(c for c in await categories.enabled(scope) if c.key == "sanitation")
    return {"scope": scope, "grid_worker": worker, "category": sanitation}


async def test_pages_and_submissions_go_on_while_redis_is_away(settings, proxy, place, sign_in):
    from core.app import create_app

    scope = place["scope"]
    async with http_client(create_app(settings)) as client:
        proxy.cut()
        await sign_in(client, "13900000021", login_path="/t/qindu/login")  # the throttle counts in the database
        assert (await client.get("/t/qindu/", headers=PAGE)).status_code == 200
        assert (await client.get("/t/qindu/notices", headers=PAGE)).status_code == 200
        page = await client.get("/t/qindu/feedback/new", headers=PAGE)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        form = {"_csrf_token": csrf_token(page.text), "idempotency_key": key,
                "category": str(place["category"].id), "description": "楼道堆放杂物，影响通行。"}
        sent = await client.post("/t/qindu/feedback/new", data=form, headers=PAGE)
        assert sent.status_code == 303, sent.text
        assert await scope.count(FeedbackItem) == 1
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("unreachable")

        # A silent Redis is waited for no longer than the timeout: the page still answers.
        proxy.hang()
        again = await client.post("/t/qindu/feedback/new", data=form, headers=PAGE)
        assert again.status_code == 303 and again.headers["location"] == sent.headers["location"]
        assert (await client.get("/t/qindu/notices", headers=PAGE)).status_code == 200
        assert await scope.count(FeedbackItem) == 1

    # The grid worker's notice of the new item could not be queued; nothing was lost.
    for_the_grid_worker = (InboxEntry.person == place["grid_worker"].id,
                           InboxEntry.notification.kind == "feedback_for_party")
    assert await scope.count(InboxEntry).where(*for_the_grid_worker) == 0
    proxy.restore()
    clock.advance(timedelta(seconds=sweep.GRACE_SECONDS * 2))
    queued = await sweep.sweep_all()
    assert queued["notifications"] >= 1
    await run_worker_until_idle(settings)
    assert await scope.count(InboxEntry).where(*for_the_grid_worker) == 1
    assert await scope.count(Notification).where(Notification.fanned_out_at.is_null()) == 0


async def test_log_in_stays_throttled_while_redis_is_away(settings, proxy, tenant):
    throttle = Throttle(settings.redis_url, settings.redis_prefix, timeout=0.5)
    subject = f"outage-{secrets.token_hex(4)}"
    for _ in range(3):
        assert (await throttle.hit(LOGIN_PER_ACCOUNT, subject)).allowed
    proxy.cut()
    # Counted in the database meanwhile: the limit still holds.
    verdicts = [(await throttle.hit(LOGIN_PER_ACCOUNT, subject)).allowed for _ in range(LOGIN_PER_ACCOUNT.count + 1)]
    assert verdicts[:LOGIN_PER_ACCOUNT.count] == [True] * LOGIN_PER_ACCOUNT.count and verdicts[-1] is False
    assert not (await throttle.peek(LOGIN_PER_ACCOUNT, subject)).allowed
    proxy.restore()
    # Back on Redis, which counted the three before the outage.
    assert (await throttle.hit(LOGIN_PER_ACCOUNT, subject)).allowed


async def _until(check, what: str, seconds: float = 60):
    """Wait for ``check()`` to hold (a bound on waiting, not a measure of speed)."""
    import asyncio

    for _ in range(int(seconds * 4)):
        if await check():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"still waiting for {what} after {seconds} s")


async def test_a_worker_waits_redis_out_and_runs_what_is_queued_after(settings, redis, proxy, place, tmp_path):
    import os
    import subprocess
    import sys

    from core.i18n import Message
    from core.jobs.arq_runner import ArqQueue
    from core.notifications import services as notifications
    from core.notifications.audience import Audience

    scope, worker = place["scope"], place["grid_worker"]
    log_path = tmp_path / "worker.log"
    env = dict(os.environ, GONGZHI_REDIS_URL=settings.redis_url, GONGZHI_REDIS_PREFIX=settings.redis_prefix)
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "core.cli", "worker"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        async def serving():
            return "worker serving" in log_path.read_text()

        async def lost():
            return "lost Redis" in log_path.read_text()

        await _until(serving, "the worker to start")
        proxy.cut()
        await _until(lost, "the worker to notice Redis has gone")
        assert process.poll() is None, log_path.read_text()
        proxy.restore()

        direct = replace(settings, redis_url=redis.rsplit("/", 1)[0] + "/12")  # the same database, not proxied
        queue.use(ArqQueue(direct))
        await notifications.notify(scope, Audience.of(worker.id), kind="test", title=Message("Back again"))

        async def delivered():
            return await scope.count(InboxEntry).where(InboxEntry.person == worker.id,
                                                       InboxEntry.notification.kind == "test") == 1

        await _until(delivered, "the worker to fan the notification out")
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=20)
