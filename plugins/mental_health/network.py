"""The referral network: a resident's case sent to one of the four levels, and the steps it
goes through there (sent → accepted → seen → closed), each due by a deadline.

A crisis referral is urgent: it is accepted (acknowledged) within the district's minutes, and
the counsellors on duty are told on every channel at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.sdk import Message, NotFound, TenantScope, now

from plugins.mental_health.handle import plugin
from plugins.mental_health.tables import LEVEL_ORDER, Duty, Referral

COUNSELLOR = "mental_health.counsellor"
SUPERVISOR = "mental_health.supervisor"
REFERRAL_TABLE = "mental_health_referral"
DEFAULT_ACKNOWLEDGE_MINUTES = 15

# How long each step may take: the step that leaves a state is due this long after entering it.
# An urgent referral's first step is the district's ``acknowledge_minutes``.
STEP_WITHIN = {
    False: {"sent": timedelta(days=2), "accepted": timedelta(days=14), "seen": timedelta(days=90)},
    True: {"accepted": timedelta(days=1), "seen": timedelta(days=30)},
}


async def acknowledge_within(scope: TenantScope) -> timedelta:
    """How soon an urgent referral must be acknowledged in the district (its setting, in minutes)."""
    minutes = (await plugin.settings(scope)).get("acknowledge_minutes") or DEFAULT_ACKNOWLEDGE_MINUTES
    return timedelta(minutes=int(minutes))


async def step_within(scope: TenantScope, state: str, *, urgent: bool) -> timedelta | None:
    """How long the step out of ``state`` may take (None once closed)."""
    if state == "closed":
        return None
    if urgent and state == "sent":
        return await acknowledge_within(scope)
    return STEP_WITHIN[urgent].get(state, STEP_WITHIN[False][state])


def next_level(level: str) -> str | None:
    """The level above (None at the top)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


async def create_referral(scope: TenantScope, person_id: int, *, level: str = "community_station",
                          source: str, referred_by: int | None = None, urgent: bool = False,
                          screening: int | None = None, summary: str = "", previous: int | None = None,
                          from_level: str = "", service_point: int | None = None,
                          moment: datetime | None = None) -> Referral:
    """A referral in state ``sent``, due by its first deadline; ``summary`` (what the resident
    agreed to share) is sealed with the resident's key. Call inside a write transaction."""
    if level not in LEVEL_ORDER:
        raise NotFound()
    moment = moment or now()
    due = moment + await step_within(scope, "sent", urgent=urgent)
    row = await scope.create(Referral, person_id=person_id, screening=screening, source=source,
                             referred_by=referred_by, previous=previous, from_level=from_level, level=level,
                             service_point=service_point, summary_sealed="", state="sent", urgent=urgent,
                             created_at=moment, acknowledge_due=due if urgent else None, due_at=due)
    if summary:
        sealed = await plugin.seal(scope, person_id, REFERRAL_TABLE, row.id, summary)
        await scope.update(Referral, {Referral.summary_sealed: sealed}).where(Referral.id == row.id)
        row.summary_sealed = sealed
    return row


async def open_crisis_referral(scope: TenantScope, person_id: int, screening_id: int,
                               moment: datetime) -> Referral:
    """The crisis route's urgent referral to the community station, and the counsellors on
    duty told of it (after commit, every channel, quiet hours ignored)."""
    referral = await create_referral(scope, person_id, source="crisis", urgent=True, screening=screening_id,
                                     moment=moment)
    await tell_on_duty(scope, referral)
    return referral


async def on_duty(scope: TenantScope) -> list[int]:
    """The counsellors on duty now; when nobody is, every counsellor of the district."""
    counsellors = await counsellors_of(scope)
    duty = {row["counsellor_id"] for row in await scope.select(Duty, Duty.counsellor_id).where(Duty.until.is_null())}
    return [person for person in counsellors if person in duty] or counsellors


async def tell_on_duty(scope: TenantScope, referral: Referral) -> None:
    """Tell the counsellors on duty of an urgent referral."""
    counsellors = await on_duty(scope)
    if not counsellors:
        return
    slug = await plugin.slug_of(scope)
    minutes = int((referral.due_at - referral.created_at).total_seconds() // 60)
    await plugin.notify(scope, counsellors, kind="urgent_referral", urgent=True,
                        title=Message("Urgent: a resident may be in crisis"),
                        body=Message("Please call them back now; the referral must be acknowledged within "
                                     "%(minutes)d minutes.", {"minutes": minutes}),
                        link=f"/t/{slug}/p/mental_health/console/referrals/{referral.id}")


async def counsellors_of(scope: TenantScope) -> list[int]:
    """The people holding the counsellor role in the district."""
    return await plugin.holders(scope, (COUNSELLOR,))


# What the console shows ------------------------------------------------------------------------


async def referrals(scope: TenantScope, referral_id: int | None = None) -> list[dict[str, Any]]:
    """The district's referrals (or the one with this id), urgent and newest first, with the
    resident's name: who, when, how urgent, in which state; never a score or an answer."""
    query = scope.select(Referral, Referral.id, Referral.person_id, Referral.level, Referral.state, Referral.urgent,
                         Referral.source, Referral.created_at, Referral.acknowledge_due, Referral.due_at).order_by(
        Referral.urgent, ascending=False).order_by(Referral.id, ascending=False)
    if referral_id is not None:
        query = query.where(Referral.id == referral_id)
    rows = await query
    people = await plugin.people(scope, sorted({row["person_id"] for row in rows}))
    return [{**row, "person": people.get(row["person_id"], {}).get("display_name", "")} for row in rows]


async def referral(scope: TenantScope, referral_id: int) -> dict[str, Any]:
    """One referral of the district; another district's is not found."""
    rows = await referrals(scope, referral_id)
    if not rows:
        raise NotFound()
    return rows[0]
