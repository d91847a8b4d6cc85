"""Throttling counts hits per key and window, in the database or in Redis."""

import asyncio
from datetime import timedelta

import pytest

from core import clock
from core.throttle import Limit, Throttle, ThrottleCounter

LIMIT = Limit("test", 3, 60)


async def _exercise(throttle: Throttle, subject: str) -> None:
    clock.set_now(clock.now().replace(second=1), frozen=True)  # well inside one window
    verdicts = [await throttle.hit(LIMIT, subject) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 0 < verdicts[-1].retry_after <= 60
    assert (await throttle.peek(LIMIT, subject)).allowed is False
    assert (await throttle.hit(LIMIT, subject + "-other")).allowed
    clock.advance(timedelta(seconds=60))
    assert (await throttle.hit(LIMIT, subject)).allowed


async def test_database_counters(database):
    await _exercise(Throttle(None), "13800000001")


async def test_concurrent_hits_are_all_counted(database):
    throttle = Throttle(None)
    await asyncio.gather(*(throttle.hit(Limit("burst", 100, 3600), "x") for _ in range(30)))
    assert (await ThrottleCounter.objects().first()).hits == 30


@pytest.mark.redis
async def test_redis_counters(redis):
    import secrets

    await _exercise(Throttle(redis), f"redis-{secrets.token_hex(4)}")


async def test_expired_database_counters_are_swept(database):
    throttle = Throttle(None)
    await throttle.hit(LIMIT, "a")
    clock.advance(timedelta(minutes=5))
    assert await throttle.sweep() == 1
    assert await ThrottleCounter.count() == 0
