"""Throttling: how many times a thing may happen per key in a window.

Counters live in Redis when ``GONGZHI_REDIS_URL`` is set (shared by every app process),
else in the database. While Redis cannot be reached (``GONGZHI_REDIS_TIMEOUT``), counting
falls back to the database, so log-in keeps working and stays throttled. Fixed windows:
simple, and enough to stop guessing and flooding.

The limits (documented in README):

* log-in attempts: 10 per account per 15 minutes, 50 per client address per 15 minutes;
* one-time code sends: 5 per phone number or email per hour, 20 per client address per hour;
* code checks: 5 wrong answers end a code (see ``core.accounts.codes``).
* Open311 calls: 600 per client key per hour (``core.open311.services.PER_KEY``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.table import Table

from core import clock

log = logging.getLogger("gongzhi.throttle")
_UNREACHABLE = object()

@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


LOGIN_PER_ACCOUNT = Limit("login:account", 10, 15 * 60)
LOGIN_PER_ADDRESS = Limit("login:address", 50, 15 * 60)
CODE_SENDS_PER_TARGET = Limit("code:target", 5, 60 * 60)
CODE_SENDS_PER_ADDRESS = Limit("code:address", 20, 60 * 60)


class ThrottleCounter(Table, tablename="core_throttle_counter"):
    """Hits of one key in one window (the database backend)."""

    key = Varchar(length=200, unique=True, help_text="limit name, subject and window number")
    hits = Integer(default=0)
    expires_at = Timestamptz(index=True)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds


def _window(limit: Limit) -> tuple[int, int]:
    now = clock.now().timestamp()
    number = int(now // limit.window_seconds)
    retry_after = int(math.ceil((number + 1) * limit.window_seconds - now))
    return number, max(retry_after, 1)


class Throttle:
    def __init__(self, redis_url: str | None = None, prefix: str = "gongzhi", *, timeout: float = 1.0) -> None:
        self.redis_url = redis_url
        self.prefix = prefix  # deployments sharing one Redis keep apart by prefix
        self.timeout = timeout
        self._redis = None

    async def hit(self, limit: Limit, subject: str) -> Verdict:
        """Count one more for ``subject``; allowed while the count stays within the limit."""
        number, retry_after = _window(limit)
        key = f"{limit.name}:{subject}:{number}"
        hits = await self._without_outage(self._hit_redis(key, limit)) if self.redis_url else _UNREACHABLE
        if hits is _UNREACHABLE:
            hits = await self._hit_database(key, limit)
        return Verdict(allowed=hits <= limit.count, retry_after=retry_after)

    async def peek(self, limit: Limit, subject: str) -> Verdict:
        """Whether one more would be allowed, without counting it."""
        number, retry_after = _window(limit)
        key = f"{limit.name}:{subject}:{number}"
        hits = _UNREACHABLE
        if self.redis_url:
            hits = await self._without_outage(self._client().get(f"{self.prefix}:throttle:{key}"))
        if hits is _UNREACHABLE:
            row = await ThrottleCounter.select(ThrottleCounter.hits).where(ThrottleCounter.key == key).first()
            hits = row["hits"] if row else 0
        hits = int(hits or 0)
        return Verdict(allowed=hits < limit.count, retry_after=retry_after)

    async def _without_outage(self, counting):
        """What ``counting`` (a Redis call) answers, or ``_UNREACHABLE`` when Redis cannot be
        reached; the client is then dropped, so that the next call connects afresh."""
        from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeout

        try:
            return await counting
        except (RedisConnectionError, RedisTimeout, OSError) as error:
            log.warning("Redis cannot be reached (%r): counting in the database meanwhile", error)
            client, self._redis = self._redis, None
            if client is not None:
                await client.aclose(close_connection_pool=True)
            return _UNREACHABLE

    def _client(self):
        if self._redis is None:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(self.redis_url, socket_connect_timeout=self.timeout,
                                         socket_timeout=self.timeout)
        return self._redis

    async def _hit_redis(self, key: str, limit: Limit) -> int:
        redis_key = f"{self.prefix}:throttle:{key}"
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, limit.window_seconds + 5)
            hits, _ = await pipe.execute()
        return int(hits)

    async def _hit_database(self, key: str, limit: Limit) -> int:
        # One statement, so concurrent hits on either engine neither race nor collide.
        expires = datetime.fromtimestamp(clock.now().timestamp() + limit.window_seconds + 5, timezone.utc)
        rows = await ThrottleCounter.raw(
            "INSERT INTO core_throttle_counter (key, hits, expires_at) VALUES ({}, 1, {}) "
            "ON CONFLICT (key) DO UPDATE SET hits = core_throttle_counter.hits + 1 RETURNING hits",
            key, expires,
        )
        return int(rows[0]["hits"])

    async def sweep(self) -> int:
        """Delete expired database counters; returns how many."""
        expired = await ThrottleCounter.select(ThrottleCounter.id).where(ThrottleCounter.expires_at < clock.now())
        if expired:
            await ThrottleCounter.delete().where(ThrottleCounter.id.is_in([row["id"] for row in expired]))
        return len(expired)
