"""The referral network: a resident's case sent to one of the four levels, and the steps it
goes through there (sent → accepted → seen → closed), each due by a deadline.

A crisis referral is urgent: it is accepted (acknowledged) within the district's minutes, and
the counsellors on duty are told on every channel at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.sdk import Conflict, Erased, Form, Message, NotFound, TenantScope, clean_text, now

from plugins.mental_health.handle import plugin
from plugins.mental_health.tables import LEVEL_ORDER, LEVELS, REFERRAL_STATES, Duty, Referral

COUNSELLOR = "mental_health.counsellor"
SUPERVISOR = "mental_health.supervisor"
DISTRICT_ADMIN = "district_admin"
# Who assign counsellors, keep the directory and the helpers, and see the figures.
MANAGERS = frozenset({SUPERVISOR, DISTRICT_ADMIN})
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


def adjacent_levels(level: str) -> list[str]:
    """The levels a case may move to from ``level``: the one below and the one above."""
    index = LEVEL_ORDER.index(level)
    return [LEVEL_ORDER[i] for i in (index - 1, index + 1) if 0 <= i < len(LEVEL_ORDER)]


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


async def set_duty(scope: TenantScope, counsellor_id: int, on: bool) -> bool:
    """Put a counsellor on duty (told first of urgent referrals) or off; whether they are on."""
    async with scope.transaction(write=True):
        standing = await scope.objects(Duty).where(Duty.counsellor_id == counsellor_id, Duty.until.is_null()).first()
        if on and standing is None:
            await scope.create(Duty, counsellor_id=counsellor_id, since=now(), until=None)
        elif not on and standing is not None:
            await scope.update(Duty, {Duty.until: now()}).where(Duty.id == standing.id)
    return on


async def is_on_duty(scope: TenantScope, counsellor_id: int) -> bool:
    return bool(await scope.count(Duty).where(Duty.counsellor_id == counsellor_id, Duty.until.is_null()))


# A referral's steps ----------------------------------------------------------------------------

# Each step: the state it starts from, the state it leads to, and the time column it sets.
STEPS = {
    "accept": ("sent", "accepted", Referral.accepted_at),
    "seen": ("accepted", "seen", Referral.seen_at),
    "close": (None, "closed", Referral.closed_at),  # from any open state
}
OUT_OF_ORDER = {
    "accept": Message("This referral has already been acknowledged."),
    "seen": Message("Acknowledge the referral before marking the resident seen."),
    "close": Message("This referral is already closed."),
}


async def step(scope: TenantScope, referral_id: int, actor_id: int, action: str,
               data: dict[str, str] | None = None) -> Referral:
    """Move a referral one step (``accept``: acknowledged, ``seen``, ``close`` with an
    ``outcome``), due by the next step's deadline; audited. Conflict, with a message, for a
    step out of order (e.g. a second acknowledgement), before any field is checked: a closed
    referral's page no longer shows the form."""
    if action not in STEPS:
        raise NotFound()
    source, target, column = STEPS[action]
    moment = now()
    async with scope.transaction(write=True):
        row = await scope.get(Referral, referral_id)
        if row is None:
            raise NotFound()
        if (source is not None and row.state != source) or row.state == "closed":
            raise Conflict(OUT_OF_ORDER[action])
        outcome = ""
        if action == "close":
            form = Form(data or {})
            outcome = form.field("outcome", clean_text, max_length=200)
            form.raise_if_invalid()
        within = await step_within(scope, target, urgent=row.urgent)
        values = {Referral.state: target, column: moment, Referral.due_at: moment + within if within else None}
        if action == "accept":
            values[Referral.accepted_by] = actor_id
        if outcome:
            values[Referral.outcome] = outcome
        await scope.update(Referral, values).where(Referral.id == row.id)
    await plugin.audit(scope, f"referral.{target}", actor_id=actor_id, target=f"referral:{referral_id}")
    return await scope.get(Referral, referral_id)


async def move(scope: TenantScope, referral_id: int, actor_id: int, data: dict[str, str]) -> Referral:
    """Move a resident's case to the level below or above (``to_level``) with the summary the
    resident agreed to share (``summary``, sealed; ``resident_agreed`` ticked): the referral
    closes as moved and a new one opens there, linked to it. Audited."""
    form = Form(data)
    summary = form.field("summary", clean_text, max_length=2000, multiline=True)
    if data.get("resident_agreed") != "1":
        form.error("resident_agreed", Message("Tick this only when the resident agreed to the referral and to "
                                              "sharing this summary."))
    async with scope.transaction(write=True):
        row = await scope.get(Referral, referral_id)
        if row is None:
            raise NotFound()
        if row.state == "closed":
            raise Conflict(OUT_OF_ORDER["close"])
        to_level = data.get("to_level", "")
        if to_level not in adjacent_levels(row.level):
            form.error("to_level", Message("Choose the level just above or just below."))
        form.raise_if_invalid()
        moment = now()
        await scope.update(Referral, {Referral.state: "closed", Referral.closed_at: moment, Referral.due_at: None,
                                      Referral.outcome: f"moved to {to_level}"}).where(Referral.id == row.id)
        moved = await create_referral(scope, row.person_id, level=to_level, source="counsellor",
                                      referred_by=actor_id, urgent=row.urgent, summary=summary, previous=row.id,
                                      from_level=row.level, moment=moment)
    await plugin.audit(scope, "referral.moved", actor_id=actor_id, target=f"referral:{referral_id}",
                       to=f"referral:{moved.id}", level=to_level)
    return moved


async def summary_of(scope: TenantScope, reader_id: int, referral_id: int) -> str:
    """What the resident agreed to share with a referral, opened for a counsellor or
    supervisor of the district (audited); "" when there is none."""
    row = await scope.get(Referral, referral_id)
    if row is None:
        raise NotFound()
    if not row.summary_sealed:
        return ""
    console = set(await plugin.holders(scope, (COUNSELLOR, SUPERVISOR)))
    try:
        return await plugin.read_sealed(scope, reader_id=reader_id, person_id=row.person_id, table=REFERRAL_TABLE,
                                        row_id=row.id, sealed=row.summary_sealed,
                                        may_read=lambda reader: reader in console, purpose="referral summary")
    except Erased as erased:  # kept no longer than the district keeps referral summaries
        return str(plugin.erased_note(erased))


# Escalation ------------------------------------------------------------------------------------


async def escalate(scope: TenantScope) -> int:
    """Escalate the district's overdue referrals; returns how many. An urgent referral nobody
    acknowledged goes up a level, is due again within the acknowledgement window, and every
    counsellor and supervisor is told at once on every channel; any other overdue step is
    escalated once, to the supervisors. Running again at the same moment does nothing more."""
    moment = now()
    window = await acknowledge_within(scope)
    escalated = []
    async with scope.transaction(write=True):
        overdue = await scope.objects(Referral).where(Referral.state != "closed", Referral.due_at < moment)
        for row in overdue:
            if row.urgent and row.state == "sent":
                level = next_level(row.level) or row.level
                await scope.update(Referral, {Referral.level: level, Referral.due_at: moment + window,
                                              Referral.escalations: row.escalations + 1,
                                              Referral.escalated_at: moment}).where(Referral.id == row.id)
                escalated.append((row, True, level))
            elif row.escalated_at is None or row.escalated_at < row.due_at:
                await scope.update(Referral, {Referral.escalations: row.escalations + 1,
                                              Referral.escalated_at: moment}).where(Referral.id == row.id)
                escalated.append((row, False, row.level))
    if not escalated:
        return 0
    slug = await plugin.slug_of(scope)
    supervisors = await plugin.holders(scope, (SUPERVISOR,))
    everyone = await plugin.holders(scope, (COUNSELLOR, SUPERVISOR))
    for row, urgent, level in escalated:
        link = f"/t/{slug}/p/mental_health/console/referrals/{row.id}"
        await plugin.audit(scope, "referral.escalated", actor_id=None, target=f"referral:{row.id}", level=level)
        if urgent and everyone:
            await plugin.notify(scope, everyone, kind="referral_escalated", urgent=True, link=link,
                                title=Message("Urgent referral not acknowledged: escalated"),
                                body=Message("Nobody acknowledged an urgent referral in time. It now goes to: "
                                             "%(level)s. Please call the resident back now.",
                                             {"level": Message(LEVELS[level])}))
        elif not urgent and supervisors:
            await plugin.notify(scope, supervisors, kind="referral_overdue", link=link,
                                title=Message("A referral is overdue"),
                                body=Message("A referral has passed its deadline in the state: %(state)s.",
                                             {"state": Message(REFERRAL_STATES[row.state])}))
    return len(escalated)


# What the console shows ------------------------------------------------------------------------


async def referrals(scope: TenantScope, referral_id: int | None = None) -> list[dict[str, Any]]:
    """The district's referrals (or the one with this id), urgent and newest first, with the
    resident's name: who, when, how urgent, in which state; never a score or an answer."""
    query = scope.select(Referral, Referral.id, Referral.person_id, Referral.level, Referral.state, Referral.urgent,
                         Referral.source, Referral.created_at, Referral.acknowledge_due, Referral.due_at,
                         Referral.from_level, Referral.previous, Referral.outcome, Referral.escalations).order_by(
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
