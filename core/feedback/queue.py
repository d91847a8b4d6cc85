"""The staff queue: which items a person's part of the district covers, filtered, and
assigning many at once.

Everything is decided in SQL, so that the limit counts only items the person may see: the
part of the district their console roles cover, private items only where their unit is the
responsible party, and the filters they chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from core import clock
from core.accounts.roles import CONSOLE_ROLES
from core.accounts.services import Place
from core.config import Settings
from core.errors import Conflict, NotFound, ValidationFailed
from core.feedback import permissions, workflow
from core.feedback.tables import CallIn, FeedbackCategory, FeedbackItem, State
from core.i18n import Message
from core.tenancy import TenantScope
from tenants.tables import Community, Department, Grid, Street

QUEUE_SIZE = 100
_TRACKING = re.compile(r"[A-Z]{1,6}-[0-9]{4}-[0-9]{6,}")
BULK_MAX = 200
# The kinds of party the queue filters by and items are assigned to, with their tables.
PARTY_TABLES = {"grid": Grid, "community": Community, "street": Street, "department": Department}


@dataclass(frozen=True)
class QueueFilter:
    state: str = ""
    category_id: int | None = None
    community_id: int | None = None
    party: tuple[str, int | None] | None = None
    overdue: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "QueueFilter":
        """The filters of a queue address; anything unreadable is no filter (it is a view,
        not a form: a stale bookmark shows more, never an error)."""
        def number(name: str) -> int | None:
            value = (query.get(name) or "").strip()
            return int(value) if value.isascii() and value.isdigit() else None

        state = query.get("state") or ""
        return cls(state=state if state in workflow.STATE_LABELS else "", category_id=number("category"),
                   community_id=number("community"), party=parse_party(query.get("party") or ""),
                   overdue=(query.get("overdue") or "").lower() in ("1", "true", "on"))

    def as_query(self) -> dict[str, str]:
        """The filters as the queue form shows them."""
        return {"state": self.state, "category": str(self.category_id or ""),
                "community": str(self.community_id or ""), "party": party_value(self.party) if self.party else "",
                "overdue": "true" if self.overdue else ""}


def parse_party(value: str) -> tuple[str, int | None] | None:
    """``grid:3``, ``department:2``, … or ``supervision``; None when it is neither."""
    if value == "supervision":
        return "supervision", None
    kind, _colon, unit = value.partition(":")
    if kind in PARTY_TABLES and unit.isascii() and unit.isdigit():
        return kind, int(unit)
    return None


def party_value(party: tuple[str, int | None]) -> str:
    kind, unit = party
    return kind if unit is None else f"{kind}:{unit}"


def _assigned_condition(places: list[Place]):
    """Items whose responsible party is one of the person's units (or supervision, for admins)."""
    condition = FeedbackItem.id == -1
    for place in places:
        if not place.roles & CONSOLE_ROLES:
            continue
        if place.unit_kind and place.unit_id is not None:
            condition |= (FeedbackItem.party_type == place.unit_kind) & (FeedbackItem.party_id == place.unit_id)
        if permissions.is_district_wide([place]):
            condition |= FeedbackItem.party_type == "supervision"
    return condition


async def _called_in_condition(scope: TenantScope, places: list[Place]):
    """Items one of the person's departments was called in on (None: they work in none)."""
    departments = permissions.departments_of(places)
    if not departments:
        return None
    rows = await scope.select(CallIn, CallIn.item).where(CallIn.department_id.is_in(sorted(departments)))
    return FeedbackItem.id.is_in(sorted({row["item"] for row in rows}) or [-1])


async def coverage(scope: TenantScope, places: list[Place]):
    """The part of the district a person's queue covers (None: all of it)."""
    if permissions.is_district_wide(places):
        return None
    console = [p for p in places if p.roles & CONSOLE_ROLES]
    grids = {p.unit_id for p in console if p.unit_kind == "grid"}
    communities = {p.unit_id for p in console if p.unit_kind == "community"}
    streets = {p.unit_id for p in console if p.unit_kind == "street"}
    if streets:
        communities |= {row["id"] for row in await scope.select(Community, Community.id).where(
            Community.street.is_in(list(streets)))}
    condition = _assigned_condition(places)
    called_in = await _called_in_condition(scope, places)
    if called_in is not None:
        condition |= called_in
    if grids:
        condition |= FeedbackItem.grid_id.is_in(list(grids))
    if communities:
        condition |= FeedbackItem.community_id.is_in(list(communities))
    return condition


def _overdue_condition(now):
    # The first clause says again what the rest implies: written out, it lets PostgreSQL read
    # the index of open items newest first (feedback_item_open) and stop at the queue's size.
    return FeedbackItem.state.is_in([State.submitted.value, *workflow.OPEN]) & (
        ((FeedbackItem.state == State.submitted.value) & (FeedbackItem.accept_due < now)) | (
            FeedbackItem.state.is_in(list(workflow.OPEN)) & (FeedbackItem.resolve_due < now)))


def is_late(row: Mapping[str, Any], now) -> bool:
    if row["state"] == State.submitted.value:
        return row["accept_due"] < now
    return row["state"] in workflow.OPEN and row["resolve_due"] < now


async def items(scope: TenantScope, places: list[Place], wanted: QueueFilter, *,
                limit: int = QUEUE_SIZE) -> list[dict[str, Any]]:
    """The newest items of the person's queue that match ``wanted``, each marked late or not."""
    now = clock.now()
    query = scope.select(FeedbackItem, FeedbackItem.id, FeedbackItem.tracking_number, FeedbackItem.state,
                         FeedbackItem.party_type, FeedbackItem.party_id, FeedbackItem.accept_due,
                         FeedbackItem.resolve_due, FeedbackItem.created_at, FeedbackItem.revision,
                         FeedbackItem.community_id, FeedbackItem.category.name, FeedbackItem.category.private)
    covered = await coverage(scope, places)
    if covered is not None:
        query = query.where(covered)
    # A private item is its party's alone (and the departments it called in), whatever else the person covers.
    mine = (FeedbackItem.category.private == False) | _assigned_condition(places)  # noqa: E712
    called_in = await _called_in_condition(scope, places)
    query = query.where(mine if called_in is None else mine | called_in)
    if wanted.state:
        query = query.where(FeedbackItem.state == wanted.state)
    if wanted.category_id is not None:
        query = query.where(FeedbackItem.category == wanted.category_id)
    if wanted.community_id is not None:
        query = query.where(FeedbackItem.community_id == wanted.community_id)
    if wanted.party is not None:
        kind, unit = wanted.party
        query = query.where(FeedbackItem.party_type == kind)
        query = query.where(FeedbackItem.party_id.is_null() if unit is None else FeedbackItem.party_id == unit)
    if wanted.overdue:
        query = query.where(_overdue_condition(now))
    rows = await query.order_by(FeedbackItem.id, ascending=False).limit(limit)
    return [{**row, "late": is_late(row, now)} for row in rows]


async def choices(scope: TenantScope) -> dict[str, list[dict[str, Any]]]:
    """What the queue's filters and the assign form offer: categories, communities and parties."""
    from tenants import organisation

    units = await organisation.units(scope)
    categories = await scope.select(FeedbackCategory, FeedbackCategory.id, FeedbackCategory.name).order_by(
        FeedbackCategory.position, FeedbackCategory.id)
    parties = [{"value": f"grid:{g['id']}", "kind": "grid", "name": g["name"]} for g in units["grids"]]
    parties += [{"value": f"community:{c['id']}", "kind": "community", "name": c["name"]} for c in units["communities"]]
    parties += [{"value": f"street:{s['id']}", "kind": "street", "name": s["name"]} for s in units["streets"]]
    parties += [{"value": f"department:{d['id']}", "kind": "department", "name": d["name"]}
                for d in units["departments"]]
    parties.append({"value": "supervision", "kind": "supervision", "name": ""})
    return {"categories": categories, "communities": units["communities"], "parties": parties}


async def checked_party(scope: TenantScope, value: str) -> tuple[str, int | None]:
    """The party a form chose, if it exists in the district; else ValidationFailed on ``party``."""
    party = parse_party(value)
    if party is None or (party[1] is not None and await scope.get(PARTY_TABLES[party[0]], party[1]) is None):
        raise ValidationFailed({"party": Message("Choose one of the list.")})
    return party


@dataclass(frozen=True)
class BulkResult:
    assigned: list[str]
    skipped: list[str]

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "BulkResult | None":
        """What the queue says after a bulk assignment redirected to it."""
        count = query.get("assigned") or ""
        if not (count.isascii() and count.isdigit()):
            return None
        skipped = [n for n in (query.get("skipped") or "").split(",") if _TRACKING.fullmatch(n)]
        return cls(["" for _ in range(min(int(count), BULK_MAX))], skipped)


async def bulk_assign(scope: TenantScope, slug: str, places: list[Place], *, actor_id: int, item_ids: list[int],
                      party: tuple[str, int | None], note: str = "", settings: Settings) -> BulkResult:
    """Assign each chosen item the person may handle to ``party``, each in its own
    transaction; items that are not theirs, gone, private to another party or in a state
    that cannot be assigned are skipped and named, never half-done."""
    if not item_ids:
        raise ValidationFailed({"items": Message("Choose at least one item.")})
    if len(item_ids) > BULK_MAX:
        raise ValidationFailed({"items": Message("Choose at most %(count)s items at once.", {"count": BULK_MAX})})
    assigned, skipped = [], []
    for item_id in dict.fromkeys(item_ids):
        item = await scope.get(FeedbackItem, item_id)
        if item is None:
            continue  # not of this district: nothing to name
        category = await scope.get(FeedbackCategory, item.category)
        if not await permissions.can_handle(scope, places, item, category.private):
            skipped.append(item.tracking_number)
            continue
        try:
            await workflow.assign(scope, slug, item.id, actor_id=actor_id, revision=item.revision,
                                  party_type=party[0], party_id=party[1], note=note, settings=settings)
        except (Conflict, NotFound):
            skipped.append(item.tracking_number)
            continue
        assigned.append(item.tracking_number)
    return BulkResult(assigned, skipped)
