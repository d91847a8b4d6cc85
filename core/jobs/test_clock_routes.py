"""The test clock: with ``GONGZHI_TEST_MODE=1`` (never in production) journeys move the
server's clock and run every job that is then due, before the answer comes back.

``POST /_test/clock`` with JSON ``{"advance_seconds": 90000}`` or ``{"to": "2026-12-01T09:00:00+08:00"}``
(or ``{}`` to only run what is due). It needs the in-process runner: with Redis, the jobs run
in other processes whose clocks this one cannot move.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import SerializationException

from core import clock
from core.errors import Conflict, ValidationFailed
from core.i18n import Message
from core.jobs import queue
from core.jobs.in_process import InProcessRunner


def _runner() -> InProcessRunner:
    runner = queue.current()
    if not isinstance(runner, InProcessRunner):
        raise Conflict(Message("The test clock needs jobs to run in-process (no GONGZHI_REDIS_URL)."))
    return runner


def _state(ran: int | None = None, runner: InProcessRunner | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"now": clock.now().isoformat()}
    if ran is not None and runner is not None:
        state.update(ran=ran, queued=len(runner.queued()),
                     failures=[{"job": f.job_id, "error": f.error} for f in runner.failures])
    return state


@get("/_test/clock", opt={"auth": "test"}, include_in_schema=False, sync_to_thread=False)
def read_clock() -> dict[str, Any]:
    return _state()


@post("/_test/clock", opt={"auth": "test"}, include_in_schema=False, exclude_from_csrf=True, status_code=200)
async def move_clock(request: Request) -> dict[str, Any]:
    runner = _runner()
    try:
        data = await request.json() if (await request.body()) else {}
    except SerializationException:
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed({"__all__": Message("Send a JSON object.")})
    if "to" in data:
        try:
            moment = datetime.fromisoformat(str(data["to"]))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationFailed({"to": Message("Give a time with its offset, e.g. 2026-12-01T09:00:00+08:00.")})
        clock.set_now(moment)
    elif "advance_seconds" in data:
        seconds = data["advance_seconds"]
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise ValidationFailed({"advance_seconds": Message("Give a number of seconds.")})
        clock.advance(timedelta(seconds=seconds))
    ran = await runner.run_due()
    return _state(ran, runner)


TEST_CLOCK_ROUTES = [read_clock, move_clock]
