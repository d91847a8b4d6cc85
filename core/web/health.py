"""``/healthz``: the process answers. ``/readyz``: the database is reachable and migrated,
and Redis is reachable when one is configured."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

import logging

from core import migrate

log = logging.getLogger("gongzhi.health")


async def _database() -> tuple[bool, str]:
    try:
        todo = await migrate.pending()
    except Exception as error:  # any failure to reach or read the database
        log.warning("readiness: database check failed: %r", error, exc_info=True)
        return False, f"unreachable: {type(error).__name__}"
    if todo:
        return False, f"{len(todo)} migration(s) not applied: run `gongzhi migrate`"
    return True, "ok"


async def _redis(url: str) -> tuple[bool, str]:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
        return True, "ok"
    except Exception as error:
        return False, f"unreachable: {type(error).__name__}"
    finally:
        await client.aclose()


@get("/healthz", sync_to_thread=False, include_in_schema=False, opt={"auth": "none"})
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", include_in_schema=False, opt={"auth": "none"})
async def readyz(request: Request) -> Response[dict[str, Any]]:
    settings = request.app.state.settings
    checks: dict[str, str] = {}
    ready, checks["database"] = await _database()
    if settings.redis_url:
        redis_ok, checks["redis"] = await _redis(settings.redis_url)
        ready = ready and redis_ok
    return Response(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
