"""``gongzhi bench enumeration`` times the three answers for a number with an account and one
without, through the whole app, without the throttle stopping it. (What the timings are is
the command's business; here only that it measures the right thing.)"""

from __future__ import annotations

from bench import enumeration
from core.config import Settings


async def test_each_answer_is_timed_for_both_numbers_and_none_is_throttled(database):
    timings = await enumeration.measure(Settings.from_env(), rounds=12)
    assert [t.case for t in timings] == ["password log-in", "log-in code", "password reset"]
    # Twelve rounds are more than the throttle's ten log-ins or five codes an hour per number.
    assert [t.statuses for t in timings] == [(400, 400), (200, 200), (200, 200)]
    assert all(t.known_ms[0] > 0 and t.unknown_ms[0] > 0 for t in timings)
    assert "| password reset | 200 / 200 |" in enumeration.table(timings)
