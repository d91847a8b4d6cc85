"""The one clock everything in Gongzhi reads the time from.

Tests move it with :func:`set_now`, :func:`advance` and :func:`reset`; production never does.
Times are timezone-aware UTC; pages show them in China Standard Time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, in UTC, as moved by tests if they moved it."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc) + _offset


def set_now(moment: datetime, *, frozen: bool = False) -> None:
    """Make ``now()`` answer ``moment`` from here on (ticking on unless ``frozen``)."""
    global _offset, _frozen
    if moment.tzinfo is None:
        raise ValueError("the clock takes timezone-aware datetimes only")
    if frozen:
        _frozen = moment.astimezone(timezone.utc)
    else:
        _frozen = None
        _offset = moment - datetime.now(timezone.utc)


def advance(delta: timedelta) -> None:
    """Move the clock forward (or back, with a negative delta)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


def reset() -> None:
    """Back to real time."""
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None


def local(moment: datetime) -> datetime:
    """``moment`` in China Standard Time, for display."""
    return moment.astimezone(CHINA)
