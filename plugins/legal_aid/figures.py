"""The district's figures, for the district and each community: requests by kind of matter,
time to the first answer, mediations and agreements reached, and how often the green channel
and the rest were settled in time. Counted from what is kept in clear; never a figure from
fewer than five requests (a count of 1 to 4 reads "fewer than 5", and a time or a rate needs
five requests behind it)."""

from __future__ import annotations

from statistics import median
from typing import Any

from core.sdk import TenantScope, now

from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Case, Consultation
from plugins.legal_aid.texts import MATTERS

SMALLEST = 5


def shown(count: int) -> int | None:
    """A count as it may be shown: None (read "fewer than 5") for 1 to 4."""
    return None if 0 < count < SMALLEST else count


def _rate(on_time: int, settled: int) -> int | None:
    return round(100 * on_time / settled) if settled >= SMALLEST else None


def _figures(rows: list[dict[str, Any]], cases: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    moment = now()
    hours = [(row["accepted_at"] - row["created_at"]).total_seconds() / 3600 for row in rows if row["accepted_at"]]
    timed = {True: [0, 0], False: [0, 0]}  # green → [on time, settled or late]
    for row in rows:
        if row["resolved_at"] is None and row["resolve_due"] >= moment:
            continue  # still within its time: neither on time nor late yet
        counts = timed[bool(row["green"])]
        counts[1] += 1
        if row["resolved_at"] is not None and row["resolved_at"] <= row["resolve_due"]:
            counts[0] += 1
    mediations = [case for row in rows for case in cases.get(row["id"], []) if case["kind"] == "mediation"]
    return {"requests": shown(len(rows)),
            "by_matter": {key: shown(sum(1 for row in rows if row["matter"] == key)) for key in MATTERS},
            "first_answer_hours": round(median(hours), 1) if len(hours) >= SMALLEST else None,
            "mediated": shown(len(mediations)),
            "agreements": shown(sum(1 for case in mediations if case["state"] == "agreement")),
            "green": shown(sum(1 for row in rows if row["green"])),
            "green_on_time": _rate(*timed[True]), "rest_on_time": _rate(*timed[False])}


async def figures(scope: TenantScope) -> dict[str, Any]:
    """The district's figures and each community's (``communities``: id, name, figures)."""
    consultations = await scope.select(Consultation, Consultation.id, Consultation.item_id, Consultation.matter,
                                       Consultation.community_id, Consultation.green)
    items = {item["id"]: item for item in await plugin.feedback_items(
        scope, ids=[row["item_id"] for row in consultations], limit=len(consultations) or 1)}
    rows = [{**row, **{key: items[row["item_id"]][key] for key in ("created_at", "accepted_at", "resolved_at",
                                                                    "resolve_due")}}
            for row in consultations if row["item_id"] in items]
    cases: dict[int, list[dict[str, Any]]] = {}
    for case in await scope.select(Case, Case.consultation, Case.kind, Case.state):
        cases.setdefault(case["consultation"], []).append(case)
    return {"district": _figures(rows, cases), "matters": list(MATTERS),
            "communities": [{"id": c["id"], "name": c["name"],
                             "figures": _figures([r for r in rows if r["community_id"] == c["id"]], cases)}
                            for c in await plugin.communities(scope)]}
