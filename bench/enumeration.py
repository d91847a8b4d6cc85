"""``gongzhi bench enumeration``: does an answer take longer when the account exists?

Log-in by password, asking for a log-in code and asking for a password reset are each sent
``rounds`` times for a phone number that has an account and for one that has none, in turn,
through the whole app (middleware, CSRF, throttle, templates) in this process, on the
configured database. The clock is moved an hour between rounds, so that the throttle's
windows never fill. What is compared is the time to answer: the median and the 90th
percentile of each, and the difference of the medians. The tests check that the answers are
the same and the same work is done (tests/core/accounts/test_enumeration.py); timings are
measured only here.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from core.config import Settings

PASSWORD = "Bench-Enumeration-2026"
CASES = (("password log-in", "/login", "/login", {"password": "not-the-password"}),
         ("log-in code", "/login/code", "/login/code", {}),
         ("password reset", "/password/reset", "/password/reset", {}))


@dataclass(frozen=True)
class Timing:
    case: str
    known_ms: tuple[float, float]  # median, p90
    unknown_ms: tuple[float, float]
    statuses: tuple[int, int]

    @property
    def difference_ms(self) -> float:
        return self.known_ms[0] - self.unknown_ms[0]


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def _phone() -> str:
    return f"199{secrets.randbelow(10 ** 8):08d}"


async def measure(settings: Settings, rounds: int = 30) -> list[Timing]:
    import logging

    import httpx

    from core import clock
    from core.accounts import services
    from core.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    known, unknown = _phone(), _phone()
    await services.create_person("测评用户", services.Identifier("phone", known), PASSWORD)
    app = create_app(settings)
    timings = []
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.invalid") as client:
            for case, form_page, action, extra in CASES:
                page = await client.get(form_page)
                token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
                samples: dict[str, list[float]] = {known: [], unknown: []}
                statuses: dict[str, int] = {}
                for number in range(rounds + 2):  # the first two warm up, and are not counted
                    clock.advance(timedelta(hours=1))
                    order = (known, unknown) if number % 2 else (unknown, known)
                    for phone in order:
                        started = time.perf_counter()
                        answer = await client.post(action, data={"identifier": phone, "_csrf_token": token, **extra})
                        elapsed = (time.perf_counter() - started) * 1000
                        statuses[phone] = answer.status_code
                        if number >= 2:
                            samples[phone].append(elapsed)
                timings.append(Timing(case, _quantiles(samples[known]), _quantiles(samples[unknown]),
                                      (statuses[known], statuses[unknown])))
    finally:
        clock.reset()
    return timings


def table(timings: list[Timing]) -> str:
    lines = ["| answer | status (account / none) | account: median, p90 ms | none: median, p90 ms "
             "| difference of medians |", "|---|---|---|---|---|"]
    for t in timings:
        lines.append(f"| {t.case} | {t.statuses[0]} / {t.statuses[1]} | {t.known_ms[0]:.1f}, {t.known_ms[1]:.1f} "
                     f"| {t.unknown_ms[0]:.1f}, {t.unknown_ms[1]:.1f} | {t.difference_ms:+.1f} ms |")
    return "\n".join(lines)
