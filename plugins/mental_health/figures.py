"""The district's figures: aggregates only, and never a figure below five people.

Counted from what is kept in clear (who consented and screened when, which questionnaire,
whether the crisis route started, referrals' levels and states); no answer, score or band is
opened for them. A figure from 1 to 4 is shown as "fewer than 5", and no total is shown, so a
hidden figure cannot be worked out from the others."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.sdk import CHINA, TenantScope, now

from plugins.mental_health.tables import LEVEL_ORDER, REFERRAL_STATES, Consent, Referral, Screening

SMALLEST = 5
MONTHS = 6


def shown(count: int) -> int | None:
    """A figure as it may be shown: None (read "fewer than 5") for 1 to 4 people."""
    return None if 0 < count < SMALLEST else count


def _month(moment) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m")


def months(moment=None) -> list[str]:
    """The last ``MONTHS`` months in China time, newest first (``YYYY-MM``)."""
    local = (moment or now()).astimezone(CHINA)
    found, year, month = [], local.year, local.month
    for _ in range(MONTHS):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


async def district_figures(scope: TenantScope) -> dict[str, Any]:
    """Per month: people who consented, people screened, people screened with each
    questionnaire, people for whom the crisis route started, people referred to each level
    and people with a referral in each state; and people with an overdue referral now. Each
    counts distinct people and is passed through :func:`shown`."""
    wanted = months()
    people: dict[str, dict[str, set[int]]] = {month: defaultdict(set) for month in wanted}

    def count(month: str, key: str, person: int) -> None:
        if month in people:
            people[month][key].add(person)

    for row in await scope.select(Consent, Consent.person_id, Consent.given_at):
        count(_month(row["given_at"]), "consented", row["person_id"])
    for row in await scope.select(Screening, Screening.person_id, Screening.instrument, Screening.crisis,
                                  Screening.created_at):
        month = _month(row["created_at"])
        count(month, "screened", row["person_id"])
        count(month, f"instrument:{row['instrument']}", row["person_id"])
        if row["crisis"]:
            count(month, "crisis", row["person_id"])
    overdue: set[int] = set()
    moment = now()
    for row in await scope.select(Referral, Referral.person_id, Referral.level, Referral.state, Referral.created_at,
                                  Referral.due_at):
        month = _month(row["created_at"])
        count(month, f"level:{row['level']}", row["person_id"])
        count(month, f"state:{row['state']}", row["person_id"])
        if row["state"] != "closed" and row["due_at"] is not None and row["due_at"] < moment:
            overdue.add(row["person_id"])
    keys = (["consented", "screened", "instrument:phq9", "instrument:gad7", "crisis"]
            + [f"level:{level}" for level in LEVEL_ORDER] + [f"state:{state}" for state in REFERRAL_STATES])
    return {"months": wanted, "keys": keys,
            "rows": {key: [shown(len(people[month].get(key, ()))) for month in wanted] for key in keys},
            "overdue": shown(len(overdue))}
