"""Figures of the feedback loop over a period: for the district, and per community,
category, department and external organisation.

For each group: items received; hours to accept and to resolve (median and 90th
percentile, from the moment the item was raised); the on-time rate (among the items whose
timeliness is known, those that met every deadline: accepted by its deadline, never
escalated, and resolved by its deadline; an item is known once it is resolved, or once it
is open past a deadline, which makes it late; rejected items are left out); the
satisfaction (mean rating, and the share rated 4 or 5, among rated items); and the reopen
rate (resolved items that the resident reopened at least once).

Private categories count in the district's totals and in their community's and party's
rows, which never name an item; per category they are one row, "Private categories", so a
small private category cannot be picked out. They are never listed anywhere.

The period's rows are read once (the items raised in it, a bounded number per district per
period) and grouped here, so both engines give the same numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping

from core import clock, forms
from core.feedback import registry
from core.feedback.tables import FeedbackItem, State
from core.forms import Form
from core.i18n import N_, Message, gettext
from core.tenancy import TenantScope
from tenants.tables import Community, Department

DEFAULT_DAYS = 90
MAX_DAYS = 366
PRIVATE = "private"  # the key of the one per-category row of private categories
_UNITS = ("grid", "community", "street", "supervision")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OPEN = (State.accepted.value, State.assigned.value, State.in_progress.value, State.reopened.value)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        # Days are China's days: a period of one day is midnight to midnight in Beijing.
        return (datetime.combine(self.start, time.min, clock.CHINA),
                datetime.combine(self.end + timedelta(days=1), time.min, clock.CHINA))


def _day(value: Any) -> date | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        if not _DAY.match(text):  # fromisoformat would also take 20261128 and 2026-W48-6
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise forms.FieldError(Message("Enter a date like 2026-11-28.")) from None


def clean_period(query: Mapping[str, Any]) -> Period:
    """The period a page asks for (default: the last 90 days), or ValidationFailed."""
    form = Form(query)
    start = form.field("from", _day)
    end = form.field("to", _day)
    today = clock.now().astimezone(clock.CHINA).date()
    asked_end, end = end, end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if not form.errors:
        if start > end and asked_end is None:
            form.error("from", Message("The start cannot be after today."))
        elif start > end:
            form.error("to", Message("The end cannot be before the start."))
        elif (end - start).days >= MAX_DAYS:
            form.error("from", Message("Choose a period of at most %(days)s days.", {"days": MAX_DAYS}))
    form.raise_if_invalid()
    return Period(start, end)


def _percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile by linear interpolation (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Figures:
    key: str
    label: str
    received: int = 0
    accept_hours: list[float] = field(default_factory=list, repr=False)
    resolve_hours: list[float] = field(default_factory=list, repr=False)
    on_time: int = 0
    decided: int = 0  # items whose timeliness is known: the on-time rate's base
    ratings: list[int] = field(default_factory=list, repr=False)
    reopened: int = 0

    def add(self, row: Mapping[str, Any], now: datetime) -> None:
        self.received += 1
        if row["accepted_at"] is not None:
            self.accept_hours.append((row["accepted_at"] - row["created_at"]).total_seconds() / 3600)
        in_time = _in_time(row, now)
        if in_time is not None:
            self.decided += 1
            self.on_time += in_time
        if row["resolved_at"] is not None:
            self.resolve_hours.append((row["resolved_at"] - row["created_at"]).total_seconds() / 3600)
            if row["reopened"]:
                self.reopened += 1
        if row["rating"] is not None:
            self.ratings.append(row["rating"])

    @property
    def resolved(self) -> int:
        return len(self.resolve_hours)

    @property
    def accept_median(self) -> float | None:
        return _percentile(self.accept_hours, 0.5)

    @property
    def accept_p90(self) -> float | None:
        return _percentile(self.accept_hours, 0.9)

    @property
    def resolve_median(self) -> float | None:
        return _percentile(self.resolve_hours, 0.5)

    @property
    def resolve_p90(self) -> float | None:
        return _percentile(self.resolve_hours, 0.9)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def satisfaction(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def satisfied_share(self) -> float | None:
        return sum(1 for r in self.ratings if r >= 4) / len(self.ratings) if self.ratings else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.resolved if self.resolved else None


def _in_time(row: Mapping[str, Any], now: datetime) -> bool | None:
    """Whether the item met every deadline: None while that is not known (or it was rejected)."""
    if row["state"] == State.rejected.value:
        return None
    if row["escalation_level"] or (row["accepted_at"] is not None and row["accepted_at"] > row["accept_due"]):
        return False
    if row["state"] == State.submitted.value:
        return False if row["accept_due"] < now else None
    if row["state"] in _OPEN:  # reopened too: its deadline to resolve starts again
        return False if row["resolve_due"] < now else None
    return row["resolved_at"] is not None and row["resolved_at"] <= row["resolve_due"]


@dataclass(frozen=True)
class Report:
    period: Period
    district: Figures
    communities: list[Figures]
    categories: list[Figures]
    parties: list[Figures]  # departments and external organisations


async def report(scope: TenantScope, period: Period, *, public: bool = False) -> Report:
    """The figures of the items raised in ``period``. ``public``: what the public page shows
    (the district and its public categories; no breakdown by community or party)."""
    start, end = period.bounds
    rows = await scope.select(
        FeedbackItem, FeedbackItem.created_at, FeedbackItem.accepted_at, FeedbackItem.resolved_at,
        FeedbackItem.accept_due, FeedbackItem.resolve_due, FeedbackItem.state, FeedbackItem.escalation_level,
        FeedbackItem.rating, FeedbackItem.reopened,
        FeedbackItem.community_id, FeedbackItem.party_type, FeedbackItem.party_id, FeedbackItem.category,
        FeedbackItem.category.name, FeedbackItem.category.private,
    ).where(FeedbackItem.created_at >= start, FeedbackItem.created_at < end)
    now = clock.now()
    district = Figures("district", "")
    by_community: dict[int, Figures] = {}
    by_category: dict[Any, Figures] = {}
    by_party: dict[tuple[str, int | None], Figures] = {}
    for row in rows:
        district.add(row, now)
        private = row["category.private"]
        if public and private:
            continue
        key = PRIVATE if private else row["category"]
        by_category.setdefault(key, Figures(str(key), gettext(N_("Private categories")) if private
                                            else row["category.name"])).add(row, now)
        if row["community_id"] is not None:
            by_community.setdefault(row["community_id"], Figures(str(row["community_id"]), "")).add(row, now)
        if row["party_type"] not in _UNITS:
            by_party.setdefault((row["party_type"], row["party_id"]), Figures(
                f"{row['party_type']}:{row['party_id']}", "")).add(row, now)
    if public:
        return Report(period, district, [], _ordered(by_category.values()), [])
    names = {c["id"]: c["name"] for c in await scope.select(Community, Community.id, Community.name)}
    for community_id, figures in by_community.items():
        figures.label = names.get(community_id, "")
    departments = {d["id"]: d["name"] for d in await scope.select(Department, Department.id, Department.name)}
    for (party_type, party_id), figures in by_party.items():
        if party_type == "department":
            figures.label = departments.get(party_id, "")
        else:
            kind = registry.PARTY_TYPES.get(party_type)
            figures.label = f"{gettext(kind.label) if kind else party_type} #{party_id}"
    return Report(period, district, _ordered(by_community.values()), _ordered(by_category.values()),
                  _ordered(by_party.values()))


def _ordered(groups: Iterable[Figures]) -> list[Figures]:
    return sorted(groups, key=lambda f: (f.key == PRIVATE, -f.received, f.label))


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: nothing it would run as a formula."""
    text = "" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADER = (N_("Group"), N_("Group name"), N_("Received"), N_("Resolved"), N_("Median hours to accept"),
              N_("90th percentile hours to accept"), N_("Median hours to resolve"),
              N_("90th percentile hours to resolve"), N_("On time (%)"), N_("Mean rating"), N_("Rated 4 or 5 (%)"),
              N_("Reopened (%)"))


def as_csv(result: Report) -> bytes:
    """Every group of the report, one row each, UTF-8 with a byte-order mark (so that
    spreadsheet programs read the Chinese names right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(h) for h in CSV_HEADER])
    groups = [(gettext(N_("District")), [result.district]), (gettext(N_("Community")), result.communities),
              (gettext(N_("Category")), result.categories),
              (gettext(N_("Department or organisation")), result.parties)]
    for kind, rows in groups:
        for f in rows:
            writer.writerow([_cell(v) for v in (
                kind, f.label, f.received, f.resolved, f.accept_median, f.accept_p90, f.resolve_median,
                f.resolve_p90, _percent(f.on_time_rate), f.satisfaction, _percent(f.satisfied_share),
                _percent(f.reopen_rate))])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share
