"""Weekly schedules: which slots a rule such as "Tuesdays and Thursdays, 9:00–11:00, 30 minutes
each, from 1 December to 31 January" makes. Pure calculation, in China Standard Time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.clock import CHINA
from core.errors import ValidationFailed
from core.i18n import Message

# A schedule made at once covers at most this many days and makes at most this many slots.
LONGEST_SCHEDULE_DAYS = 366
MOST_SLOTS_PER_SCHEDULE = 5000


@dataclass(frozen=True)
class WeeklyRule:
    """Slots of ``minutes`` each from ``start`` to ``end`` (local time) on ``weekdays``
    (ISO numbers: 1 Monday … 7 Sunday), every week from ``first_day`` to ``last_day``
    inclusive, each for ``capacity`` people; ``holidays`` are dates left out."""

    weekdays: frozenset[int]
    start: time
    end: time
    minutes: int
    first_day: date
    last_day: date
    capacity: int = 1
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    def check(self) -> None:
        """Refuses (ValidationFailed, field by field) a rule that makes no sense."""
        errors: dict[str, Message] = {}
        if not self.weekdays or not self.weekdays <= set(range(1, 8)):
            errors["weekdays"] = Message("Choose at least one day of the week.")
        if self.end <= self.start:
            errors["end"] = Message("The end must be after the start.")
        if not 5 <= self.minutes <= 24 * 60:
            errors["minutes"] = Message("A slot lasts between 5 minutes and 24 hours.")
        if self.capacity < 1:
            errors["capacity"] = Message("At least one person must be able to book a slot.")
        if self.last_day < self.first_day:
            errors["last_day"] = Message("The last day cannot be before the first.")
        elif (self.last_day - self.first_day).days >= LONGEST_SCHEDULE_DAYS:
            errors["last_day"] = Message("A schedule covers at most a year.")
        if errors:
            raise ValidationFailed(errors)

    def times(self) -> Iterator[tuple[datetime, datetime]]:
        """Each slot's start and end (aware, China Standard Time), in order."""
        self.check()
        length = timedelta(minutes=self.minutes)
        day = self.first_day
        while day <= self.last_day:
            if day.isoweekday() in self.weekdays and day not in self.holidays:
                starts = datetime.combine(day, self.start, CHINA)
                day_ends = datetime.combine(day, self.end, CHINA)
                while starts + length <= day_ends:
                    yield starts, starts + length
                    starts += length
            day += timedelta(days=1)


def slot_times(rule: WeeklyRule) -> list[tuple[datetime, datetime]]:
    times = []
    for pair in rule.times():
        times.append(pair)
        if len(times) > MOST_SLOTS_PER_SCHEDULE:
            raise ValidationFailed({"last_day": Message("A schedule makes at most %(most)s slots at once.",
                                                        {"most": MOST_SLOTS_PER_SCHEDULE})})
    return times


def dates(values: Iterable[date | str]) -> frozenset[date]:
    """Dates given as dates or ISO strings (a list of holidays from a setting)."""
    return frozenset(value if isinstance(value, date) else date.fromisoformat(str(value).strip())
                     for value in values if str(value).strip())
