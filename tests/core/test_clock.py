from datetime import datetime, timedelta, timezone

import pytest

from core import clock


def test_now_is_aware_utc_and_close_to_real_time():
    moment = clock.now()
    assert moment.tzinfo is not None
    assert abs(moment - datetime.now(timezone.utc)) < timedelta(seconds=2)


def test_set_now_frozen_then_advance():
    start = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    clock.set_now(start, frozen=True)
    assert clock.now() == start
    clock.advance(timedelta(days=3))
    assert clock.now() == start + timedelta(days=3)


def test_set_now_ticking_keeps_moving():
    target = datetime(2030, 1, 1, tzinfo=timezone.utc)
    clock.set_now(target)
    assert target <= clock.now() < target + timedelta(seconds=2)


def test_reset_returns_to_real_time():
    clock.set_now(datetime(2000, 1, 1, tzinfo=timezone.utc), frozen=True)
    clock.reset()
    assert clock.now().year >= 2026


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        clock.set_now(datetime(2026, 1, 1))


def test_local_is_china_standard_time():
    moment = datetime(2026, 1, 1, 16, 30, tzinfo=timezone.utc)
    assert clock.local(moment).hour == 0
    assert clock.local(moment).day == 2
