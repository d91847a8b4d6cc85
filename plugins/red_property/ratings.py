"""The monthly rating of property firms (评星定级) and the red and black lists (红黑榜), from
measured facts only, and firms' appeals with the district's answers.

Each fact of the month rated gives points out of its weight:

- repairs on time (30): of the firm's repairs and emergencies made that month whose deadline
  has passed, the share resolved by it;
- residents' satisfaction (30): the mean of the 1–5 ratings residents gave its items, from 1
  (no points) to 5 (all);
- complaints (20): complaints about the firm per 100 households it serves; none gives every
  point, 5 or more none, and between them in proportion;
- bills published (10): the share of its compounds whose bills for that month were issued;
- joint meetings' action items (10): of those given to the firm that fell due that month, the
  share resolved by their date.

A fact with nothing to measure (no repair fell due) is left out and the others are weighed up
to 100. Stars and the lists follow the
district's thresholds (the plugin's settings). Every figure is computed exactly (fractions)
and kept with the rating, so its page shows how the rating was reached.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from core.sdk import CHINA, Conflict, Form, Message, N_, NotFound, TenantScope, clean_text, now

from plugins.red_property import repairs
from plugins.red_property.handle import plugin
from plugins.red_property.tables import Appeal, Bill, Compound, Firm, Rating, Unit

WEIGHTS = {"on_time": 30, "satisfaction": 30, "complaints": 20, "bills": 10, "actions": 10}
LABELS = {
    "on_time": N_("Repairs resolved on time"),
    "satisfaction": N_("Residents' satisfaction (mean rating, 1–5)"),
    "complaints": N_("Complaints per 100 households"),
    "bills": N_("Compounds whose bills were published"),
    "actions": N_("Joint meetings' action items done on time"),
}
WORST_COMPLAINTS_PER_100 = 5
LISTS = {"red": N_("Red list"), "black": N_("Black list")}


def month_span(period: str) -> tuple[datetime, datetime]:
    """The first moment of the month (China time) and of the next."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=CHINA)
    following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=CHINA)
    return start, following


def previous_period(moment: datetime) -> str:
    first = moment.astimezone(CHINA).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _fraction(value: Fraction) -> list[int]:
    return [value.numerator, value.denominator]


async def facts(scope: TenantScope, firm_id: int, period: str) -> dict[str, dict[str, Any]]:
    """The month's facts about the firm: each with its numerator and denominator (or None
    where there was nothing to measure) and the share of its weight it earned."""
    start, end = month_span(period)
    moment = now()
    routed = await repairs.routed_to(scope, firm_id, start, end)
    items = [i for i in routed if i["kind"] in repairs.KINDS]
    found: dict[str, dict[str, Any]] = {}
    due = [i for i in items if i["kind"] != "red_property_complaint" and i["first_due"] <= moment]
    on_time = [i for i in due if i["resolved_at"] is not None and i["resolved_at"] <= i["first_due"]]
    found["on_time"] = {"num": len(on_time), "den": len(due),
                        "share": Fraction(len(on_time), len(due)) if due else None}
    rated = [i["rating"] for i in items if i["rating"]]
    found["satisfaction"] = {"num": sum(rated), "den": len(rated),
                             "share": Fraction(sum(r - 1 for r in rated), 4 * len(rated)) if rated else None}
    compounds = [row["id"] for row in await scope.select(Compound, Compound.id).where(Compound.firm == firm_id)]
    households = await scope.count(Unit).where(Unit.compound.is_in(compounds or [0])) if compounds else 0
    complaints = sum(1 for i in items if i["kind"] == "red_property_complaint")
    if households:
        per_100 = Fraction(complaints * 100, households)
        found["complaints"] = {"num": complaints, "den": households,
                               "share": max(Fraction(0), 1 - per_100 / WORST_COMPLAINTS_PER_100)}
    else:
        found["complaints"] = {"num": complaints, "den": 0, "share": None}
    billed = {row["compound"] for row in await scope.select(Bill, Bill.compound).where(
        Bill.compound.is_in(compounds or [0]), Bill.period == period)} if compounds else set()
    found["bills"] = {"num": len(billed), "den": len(compounds),
                      "share": Fraction(len(billed), len(compounds)) if compounds else None}
    given = await repairs.routed_to(scope, firm_id, start - timedelta(days=366), end)
    actions = [row for row in given if row["kind"] == "red_property_action"
               and start <= row["first_due"] < end and row["first_due"] <= moment]
    done = [row for row in actions if row["resolved_at"] is not None and row["resolved_at"] <= row["first_due"]]
    found["actions"] = {"num": len(done), "den": len(actions),
                        "share": Fraction(len(done), len(actions)) if actions else None}
    return found


def score_of(found: dict[str, dict[str, Any]]) -> Fraction | None:
    """Out of 100: the points earned over the weights of the facts that could be measured."""
    weighed = {key: fact["share"] for key, fact in found.items() if fact["share"] is not None}
    if not weighed:
        return None
    total = sum(WEIGHTS[key] for key in weighed)
    return sum(WEIGHTS[key] * share for key, share in weighed.items()) * 100 / total


def stars_of(score: Fraction, settings: dict[str, Any]) -> int:
    stars = 1
    for count, key in ((2, "two_stars"), (3, "three_stars"), (4, "four_stars"), (5, "five_stars")):
        if score >= int(settings[key]):
            stars = count
    return stars


def listed_of(score: Fraction, settings: dict[str, Any]) -> str:
    if score >= int(settings["red_list"]):
        return "red"
    if score < int(settings["black_list"]):
        return "black"
    return ""


async def rate(scope: TenantScope, period: str | None = None) -> int:
    """Rate every active firm serving a compound for the month (the last one by default); a
    firm rated for it is left alone. Returns how many ratings were made."""
    period = period or previous_period(now())
    settings = await plugin.settings(scope)
    made = 0
    slug = await plugin.slug_of(scope)
    for firm in await scope.select(Firm, Firm.id).where(Firm.active == True):  # noqa: E712
        if await scope.exists(Rating).where(Rating.firm == firm["id"], Rating.period == period):
            continue
        found = await facts(scope, firm["id"], period)
        score = score_of(found)
        if score is None or not found["bills"]["den"]:
            continue  # a firm serving no compound is not rated
        figures = {key: {"num": fact["num"], "den": fact["den"], "weight": WEIGHTS[key],
                         "share": _fraction(fact["share"]) if fact["share"] is not None else None}
                   for key, fact in found.items()}
        try:
            async with scope.transaction(write=True):
                rating = await scope.create(Rating, firm=firm["id"], period=period, score=round(score * 10),
                                            stars=stars_of(score, settings), listed=listed_of(score, settings),
                                            figures=json.dumps(figures), rated_at=now())
                staff = await plugin.unit_members(scope, repairs.FIRM, firm["id"], [repairs.FIRM_STAFF])
                await plugin.notify(scope, staff, kind="rated", title=Message(
                    "Your firm's rating for %(period)s: %(stars)s stars", {"period": period, "stars": rating.stars}),
                    link=f"/t/{slug}/p/red_property/ratings/{rating.id}")
        except Exception:
            if await scope.exists(Rating).where(Rating.firm == firm["id"], Rating.period == period):
                continue  # rated at the same moment by another run
            raise
        made += 1
    return made


def _shown(row: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    figures = json.loads(row["figures"])
    lines = []
    for key in WEIGHTS:
        figure = figures.get(key)
        if figure is None:
            continue
        share = Fraction(*figure["share"]) if figure["share"] else None
        lines.append({"key": key, "label": Message(LABELS[key]), "num": figure["num"], "den": figure["den"],
                      "weight": figure["weight"], "measured": share is not None,
                      "points": f"{float(share * figure['weight']):.1f}" if share is not None else ""})
    return {**row, "firm_name": names.get(row["firm"], ""), "score_text": f"{row['score'] / 10:.1f}",
            "lines": lines, "list_label": Message(LISTS[row["listed"]]) if row["listed"] else ""}


async def latest(scope: TenantScope) -> tuple[str | None, list[dict[str, Any]]]:
    """The last month rated, and its ratings, best first (the red and black lists)."""
    newest = await scope.select(Rating, Rating.period).order_by(Rating.period, ascending=False).first()
    if newest is None:
        return None, []
    rows = await scope.select(Rating).where(Rating.period == newest["period"]).order_by(Rating.score, ascending=False)
    names = {f.id: f.name for f in await scope.objects(Firm)}
    return newest["period"], [_shown(row, names) for row in rows]


async def rating(scope: TenantScope, rating_id: int) -> dict[str, Any]:
    row = await scope.select(Rating).where(Rating.id == rating_id).first()
    if row is None:
        raise NotFound()
    firm = await scope.get(Firm, row["firm"])
    shown = _shown(row, {row["firm"]: firm.name if firm else ""})
    shown["appeals"] = await scope.select(Appeal).where(Appeal.rating == rating_id).order_by(Appeal.id)
    shown["history"] = [_shown(r, {row["firm"]: shown["firm_name"]}) for r in await scope.select(Rating).where(
        Rating.firm == row["firm"]).order_by(Rating.period, ascending=False).limit(12)]
    return shown


async def appeal(scope: TenantScope, firm_id: int | None, actor_id: int, rating_id: int, data: dict[str, str]) -> None:
    """The firm appeals its rating with a note (one unanswered appeal at a time); the
    district's managers are told."""
    found = await rating(scope, rating_id)
    if firm_id is None or found["firm"] != firm_id:
        raise NotFound()
    form = Form(data)
    note = form.field("note", clean_text, max_length=2000, multiline=True)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        if await scope.exists(Appeal).where(Appeal.rating == rating_id, Appeal.answered_at.is_null()):
            raise Conflict(Message("This rating has an appeal waiting for the district's answer."))
        await scope.create(Appeal, rating=rating_id, note=note, made_by=actor_id, made_at=now())
        managers = await plugin.holders(scope, ["red_property.manager", "district_admin"])
        slug = await plugin.slug_of(scope)
        await plugin.notify(scope, managers, kind="appeal", title=Message(
            "%(firm)s appeals its rating for %(period)s", {"firm": found["firm_name"], "period": found["period"]}),
            link=f"/t/{slug}/p/red_property/ratings/{rating_id}")
        await plugin.audit(scope, "rating_appealed", actor_id=actor_id, target=f"red_property_rating:{rating_id}")


async def rating_of_appeal(scope: TenantScope, appeal_id: int) -> int:
    row = await scope.get(Appeal, appeal_id)
    if row is None:
        raise NotFound()
    return row.rating


async def answer(scope: TenantScope, actor_id: int, appeal_id: int, data: dict[str, str]) -> int:
    """The district answers an appeal, once; the firm's staff are told. Returns the rating's
    id. Conflict for an appeal already answered, before any field is checked: the page no
    longer shows the form."""
    appeal_row = await scope.get(Appeal, appeal_id)
    if appeal_row is None:
        raise NotFound()
    if appeal_row.answered_at is not None:
        raise Conflict(Message("This appeal has been answered."))
    rating_id = appeal_row.rating
    form = Form(data)
    text = form.field("answer", clean_text, max_length=2000, multiline=True)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        changed = await scope.update(Appeal, {Appeal.answer: text, Appeal.answered_by: actor_id,
                                              Appeal.answered_at: now()}).where(
            Appeal.id == appeal_id, Appeal.answered_at.is_null()).returning(Appeal.id)
        if not changed:
            raise Conflict(Message("This appeal has been answered."))
        found = await rating(scope, rating_id)
        staff = await plugin.unit_members(scope, repairs.FIRM, found["firm"], [repairs.FIRM_STAFF])
        slug = await plugin.slug_of(scope)
        await plugin.notify(scope, staff, kind="appeal_answered", title=Message(
            "The district answered your appeal of the rating for %(period)s", {"period": found["period"]}),
            link=f"/t/{slug}/p/red_property/ratings/{rating_id}")
        await plugin.audit(scope, "appeal_answered", actor_id=actor_id, target=f"red_property_rating:{rating_id}")
    return rating_id

