"""The counsellor's side of the service: which counsellor a resident has, who may read a
resident's results and notes, session notes, a supervisor's break-glass access, and
counselling appointments (core's shared slots, kind ``mental_health.counselling``, hosted
by the counsellor).

A resident's results and notes are read by the resident, by the counsellor currently
assigned to them, and by a supervisor while a break-glass access they opened, with a
written reason, lasts. Every read and every refusal is audited (``plugin.read_sealed``);
the resident is shown each break-glass access.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from core.sdk import (CHINA, Erased, FieldError, Form, Message, NotFound, PermissionDenied, TenantScope,
                      ValidationFailed, WeeklyRule, choice_id, clean_text, now)

from plugins.mental_health import network, services
from plugins.mental_health.handle import plugin
from plugins.mental_health.instruments import INSTRUMENTS
from plugins.mental_health.tables import Assignment, BreakGlass, Note, Referral

COUNSELLOR = network.COUNSELLOR
SUPERVISOR = network.SUPERVISOR
DISTRICT_ADMIN = network.DISTRICT_ADMIN
NOTE_TABLE = "mental_health_note"
LONGEST_NOTE = 4000
SHORTEST_REASON = 10
BREAK_GLASS_LASTS = timedelta(hours=24)
COUNSELLING = "mental_health.counselling"
SESSION_MINUTES = 50
BOOKABLE_AHEAD = timedelta(days=60)


# Assignment ----------------------------------------------------------------------------------


async def current_counsellor(scope: TenantScope, person_id: int) -> int | None:
    """The counsellor assigned to the person now (None when nobody is)."""
    row = await scope.objects(Assignment).where(Assignment.person_id == person_id,
                                                Assignment.ended_at.is_null()).first()
    return row.counsellor_id if row is not None else None


async def _is_member(scope: TenantScope, person_id: int) -> bool:
    return bool(await plugin.people(scope, [person_id]))


async def has_referral(scope: TenantScope, person_id: int) -> bool:
    """Whether the person has a referral in the district."""
    return bool(await scope.count(Referral).where(Referral.person_id == person_id))


async def may_assign(scope: TenantScope, actor_id: int, roles: set[str] | frozenset[str], person_id: int,
                     counsellor_id: int) -> bool:
    """Supervisors and district administrators assign anyone; a counsellor assigns themselves
    to a resident who has a referral in the district."""
    if roles & network.MANAGERS:
        return True
    return COUNSELLOR in roles and counsellor_id == actor_id and await has_referral(scope, person_id)


async def assign(scope: TenantScope, actor_id: int, roles: set[str] | frozenset[str], person_id: int,
                 counsellor_id: int) -> Assignment:
    """Make ``counsellor_id`` the person's counsellor (ending the current assignment, if
    another's); audited. Refused (PermissionDenied) to whom may not assign; NotFound for a
    person or a counsellor who is not of the district."""
    if not await _is_member(scope, person_id):
        raise NotFound()
    if counsellor_id not in await network.counsellors_of(scope):
        raise ValidationFailed({"counsellor_id": Message("Choose a counsellor of the district.")})
    if not await may_assign(scope, actor_id, roles, person_id, counsellor_id):
        raise PermissionDenied(Message("Only a supervisor assigns a counsellor to this resident."))
    moment = now()
    async with scope.transaction(write=True):
        standing = await scope.objects(Assignment).where(Assignment.person_id == person_id,
                                                         Assignment.ended_at.is_null()).first()
        if standing is not None and standing.counsellor_id == counsellor_id:
            return standing
        if standing is not None:
            await scope.update(Assignment, {Assignment.ended_at: moment}).where(Assignment.id == standing.id)
        row = await scope.create(Assignment, person_id=person_id, counsellor_id=counsellor_id, assigned_by=actor_id,
                                 assigned_at=moment, ended_at=None)
    await plugin.audit(scope, "assignment.made", actor_id=actor_id, target=f"person:{person_id}",
                       counsellor=counsellor_id)
    return row


async def end_assignment(scope: TenantScope, actor_id: int, roles: set[str] | frozenset[str], person_id: int) -> bool:
    """End the person's current assignment: by a supervisor, a district administrator or the
    counsellor assigned; audited. Whether one was ended (NotFound for a person who is not of
    the district)."""
    if not await _is_member(scope, person_id):
        raise NotFound()
    counsellor = await current_counsellor(scope, person_id)
    if counsellor is None:
        return False
    if not (roles & network.MANAGERS or counsellor == actor_id):
        raise PermissionDenied(Message("Only a supervisor or the counsellor assigned ends an assignment."))
    async with scope.transaction(write=True):
        await scope.update(Assignment, {Assignment.ended_at: now()}).where(
            Assignment.person_id == person_id, Assignment.ended_at.is_null())
    await plugin.audit(scope, "assignment.ended", actor_id=actor_id, target=f"person:{person_id}",
                       counsellor=counsellor)
    return True


async def assigned_to(scope: TenantScope, counsellor_id: int | None) -> list[dict[str, Any]]:
    """The current assignments (of one counsellor, or all), with the resident's and the
    counsellor's names, newest first."""
    query = scope.select(Assignment).where(Assignment.ended_at.is_null()).order_by(Assignment.id, ascending=False)
    if counsellor_id is not None:
        query = query.where(Assignment.counsellor_id == counsellor_id)
    rows = await query
    people = await plugin.people(scope, sorted({row["person_id"] for row in rows} | {row["counsellor_id"]
                                                                                       for row in rows}))
    return [{**row, "person": _name(people, row["person_id"]), "counsellor": _name(people, row["counsellor_id"])}
            for row in rows]


async def unassigned_referred(scope: TenantScope) -> list[dict[str, Any]]:
    """Residents with an open referral and no counsellor: whom a counsellor may take."""
    referred = {row["person_id"] for row in await scope.select(Referral, Referral.person_id).where(
        Referral.state != "closed")}
    taken = {row["person_id"] for row in await scope.select(Assignment, Assignment.person_id).where(
        Assignment.ended_at.is_null())}
    waiting = sorted(referred - taken)
    people = await plugin.people(scope, waiting)
    return [{"person_id": person, "person": _name(people, person)} for person in waiting if person in people]


def _name(people: dict[int, dict[str, Any]], person_id: int | None) -> str:
    return people.get(person_id, {}).get("display_name", "") if person_id is not None else ""


# Who may read ------------------------------------------------------------------------------------


async def open_break_glass(scope: TenantScope, supervisor_id: int, person_id: int) -> BreakGlass | None:
    """The supervisor's break-glass access to the person that has not expired yet."""
    return await scope.objects(BreakGlass).where(
        BreakGlass.supervisor_id == supervisor_id, BreakGlass.person_id == person_id,
        BreakGlass.expires_at > now()).order_by(BreakGlass.id, ascending=False).first()


async def may_read(scope: TenantScope, reader_id: int, person_id: int) -> bool:
    """Whether ``reader_id`` may read the person's results and notes: the person themselves,
    the counsellor assigned to them now, or a supervisor with an open break-glass access."""
    if reader_id == person_id:
        return True
    if await current_counsellor(scope, person_id) == reader_id:
        return reader_id in await network.counsellors_of(scope)
    if await open_break_glass(scope, reader_id, person_id) is not None:
        return reader_id in await plugin.holders(scope, (SUPERVISOR,))
    return False


# Break-glass ---------------------------------------------------------------------------------------


async def break_glass(scope: TenantScope, supervisor_id: int, roles: set[str] | frozenset[str], person_id: int,
                      data: dict[str, str]) -> BreakGlass:
    """Open a supervisor's access to one resident's records for 24 hours, with a written
    ``reason`` (at least 10 characters); audited and shown to the resident."""
    if SUPERVISOR not in roles:
        raise PermissionDenied(Message("Only a supervisor can open emergency access."))
    if not await _is_member(scope, person_id) or person_id == supervisor_id:
        raise NotFound()
    form = Form(data)
    reason = form.field("reason", clean_text, max_length=1000, multiline=True)
    if reason and len(reason) < SHORTEST_REASON:
        form.error("reason", Message("Write the reason in at least %(count)d characters.",
                                     {"count": SHORTEST_REASON}))
    form.raise_if_invalid()
    moment = now()
    async with scope.transaction(write=True):
        row = await scope.create(BreakGlass, supervisor_id=supervisor_id, person_id=person_id, reason=reason,
                                 opened_at=moment, expires_at=moment + BREAK_GLASS_LASTS)
    await plugin.audit(scope, "break_glass.opened", actor_id=supervisor_id, target=f"person:{person_id}",
                       reason=reason, expires_at=row.expires_at.isoformat())
    return row


async def break_glass_notices(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """Every break-glass access to the person's records, newest first: when, by whom, why."""
    rows = await scope.select(BreakGlass).where(BreakGlass.person_id == person_id).order_by(
        BreakGlass.id, ascending=False)
    people = await plugin.people(scope, sorted({row["supervisor_id"] for row in rows}))
    return [{"opened_at": row["opened_at"], "expires_at": row["expires_at"], "reason": row["reason"],
             "supervisor": _name(people, row["supervisor_id"])} for row in rows]


# Session notes ---------------------------------------------------------------------------------


async def write_note(scope: TenantScope, counsellor_id: int, person_id: int, data: dict[str, str]) -> Note:
    """A session note by the resident's assigned counsellor, sealed with the resident's key:
    ``text`` is required, at most 4000 characters (NotFound for a person who is not of the
    district)."""
    if not await _is_member(scope, person_id):
        raise NotFound()
    if counsellor_id == person_id or await current_counsellor(scope, person_id) != counsellor_id:
        raise PermissionDenied(Message("Only the counsellor assigned to this resident writes session notes."))
    form = Form(data)
    text = form.field("text", clean_text, max_length=LONGEST_NOTE, multiline=True)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        row = await scope.create(Note, person_id=person_id, counsellor_id=counsellor_id, sealed="", created_at=now())
        sealed = await plugin.seal(scope, person_id, NOTE_TABLE, row.id, text)
        await scope.update(Note, {Note.sealed: sealed}).where(Note.id == row.id)
        row.sealed = sealed
    return row


async def notes(scope: TenantScope, reader_id: int, person_id: int) -> list[dict[str, Any]]:
    """The person's session notes, newest first, each opened for the reader (audited);
    services.Unreadable for a reader who may not read them."""
    allowed = await may_read(scope, reader_id, person_id)
    rows = await scope.objects(Note).where(Note.person_id == person_id).order_by(Note.id, ascending=False)
    people = await plugin.people(scope, sorted({row.counsellor_id for row in rows}))
    found = []
    for row in rows:
        try:
            text = await plugin.read_sealed(scope, reader_id=reader_id, person_id=person_id, table=NOTE_TABLE,
                                            row_id=row.id, sealed=row.sealed, may_read=lambda reader: allowed,
                                            purpose="session note")
        except PermissionDenied:
            raise services.Unreadable() from None
        except Erased as erased:  # kept no longer than the district keeps session notes
            text = plugin.erased_note(erased)
        found.append({"id": row.id, "created_at": row.created_at, "text": text,
                      "counsellor": _name(people, row.counsellor_id)})
    return found


# One resident, as their counsellor sees them -----------------------------------------------------


async def record(scope: TenantScope, reader_id: int, person_id: int) -> dict[str, Any]:
    """What the console shows of one resident: their name, counsellor, screenings (score and
    band, each read audited), the trend of each questionnaire, session notes and bookings.
    services.Unreadable (audited) for a reader who may not read them; NotFound for a person
    who is not of the district."""
    people = await plugin.people(scope, [person_id])
    if person_id not in people:
        raise NotFound()
    if not await may_read(scope, reader_id, person_id):
        await plugin.audit(scope, "record.denied", actor_id=reader_id, target=f"person:{person_id}")
        raise services.Unreadable()
    screenings = [await services.result(scope, reader_id, row["id"])
                  for row in await services.own_screenings(scope, person_id)]
    trends = {}
    for key in INSTRUMENTS:
        points = await services.trend(scope, person_id, key, reader_id=reader_id)
        if points:
            trends[key] = points
    counsellor = await current_counsellor(scope, person_id)
    names = await plugin.people(scope, [counsellor]) if counsellor is not None else {}
    return {"person_id": person_id, "person": _name(people, person_id), "counsellor_id": counsellor,
            "counsellor": _name(names, counsellor), "screenings": screenings, "trends": trends,
            "notes": await notes(scope, reader_id, person_id),
            "bookings": await plugin.appointments.bookings_of(scope, person_id, include_cancelled=True)}


# Appointments -----------------------------------------------------------------------------------


def _date(form: Form, name: str) -> date | None:
    value = form.field(name, clean_text, max_length=10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        form.error(name, Message("Enter a date such as 2026-12-01."))
        return None


def _time(form: Form, name: str) -> time | None:
    value = form.field(name, clean_text, max_length=5)
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        form.error(name, Message("Enter a time such as 09:30."))
        return None


def _minutes(form: Form, name: str = "minutes") -> int | None:
    value = form.field(name, clean_text, max_length=4, required=False) or str(SESSION_MINUTES)
    if not value.isdigit() or not 5 <= int(value) <= 240:
        form.error(name, Message("A session lasts between 5 and 240 minutes."))
        return None
    return int(value)


async def _counsellor(scope: TenantScope, counsellor_id: int) -> None:
    if counsellor_id not in await network.counsellors_of(scope):
        raise PermissionDenied(Message("Only a counsellor offers counselling sessions."))


async def _link(scope: TenantScope) -> str:
    return f"/t/{await plugin.slug_of(scope)}/p/mental_health/appointments"


async def publish_slot(scope: TenantScope, counsellor_id: int, data: dict[str, str]) -> int:
    """One session a counsellor offers (``day``, ``start``, ``minutes``, ``place``); returns
    the slot's id. Conflict when they already offer one starting then; a time already past
    is refused next to the field."""
    await _counsellor(scope, counsellor_id)
    form = Form(data)
    day, start, minutes = _date(form, "day"), _time(form, "start"), _minutes(form)
    place = form.field("place", clean_text, max_length=120, required=False) or ""
    form.raise_if_invalid()
    starts_at = datetime.combine(day, start, tzinfo=CHINA)
    if starts_at <= now():
        raise ValidationFailed({"day": Message("Choose a time that has not passed.")})
    return await plugin.appointments.create_slot(scope, COUNSELLING, starts_at, starts_at + timedelta(minutes=minutes),
                                                 host=counsellor_id, place=place, link=await _link(scope))


async def publish_weekly(scope: TenantScope, counsellor_id: int, data: dict[str, str]) -> int:
    """Sessions every week (``day1``…``day7`` ticked for Monday…Sunday, ``start``, ``end``,
    ``minutes``, ``first_day``, ``last_day``, ``place``); returns how many were made (the
    same schedule again makes none)."""
    await _counsellor(scope, counsellor_id)
    form = Form(data)
    weekdays = {number for number in range(1, 8) if data.get(f"day{number}") == "1"}
    start, end, minutes = _time(form, "start"), _time(form, "end"), _minutes(form)
    first_day, last_day = _date(form, "first_day"), _date(form, "last_day")
    place = form.field("place", clean_text, max_length=120, required=False) or ""
    if not weekdays:
        form.error("weekdays", Message("Choose at least one day of the week."))
    form.raise_if_invalid()
    rule = WeeklyRule(weekdays=weekdays, start=start, end=end, minutes=minutes, first_day=first_day,
                      last_day=last_day)
    return await plugin.appointments.schedule_weekly(scope, COUNSELLING, rule, host=counsellor_id, place=place,
                                                     link=await _link(scope))


async def roster(scope: TenantScope, counsellor_id: int) -> list[dict[str, Any]]:
    """The counsellor's sessions from today on, in order of time, each with who booked it."""
    today = datetime.combine(now().astimezone(CHINA).date(), time(0), tzinfo=CHINA)
    slots = await plugin.appointments.slots(scope, COUNSELLING, today, today + timedelta(days=400),
                                            host=counsellor_id)
    found = []
    for slot in slots:
        booked = await plugin.appointments.roster(scope, slot["id"]) if slot["booked"] else []
        found.append({**slot, "people": [row["person"] for row in booked]})
    people = await plugin.people(scope, sorted({person for slot in found for person in slot["people"]}))
    for slot in found:
        slot["names"] = [_name(people, person) for person in slot["people"]]
    return found


async def free_sessions(scope: TenantScope, counsellor_id: int | None = None) -> list[dict[str, Any]]:
    """Sessions that can still be booked in the coming weeks (of one counsellor, or of every
    counsellor of the district), in order of time, with the counsellor's name."""
    moment = now()
    slots = await plugin.appointments.free_slots(scope, COUNSELLING, moment, moment + BOOKABLE_AHEAD,
                                                 host=counsellor_id)
    counsellors = set(await network.counsellors_of(scope))
    slots = [slot for slot in slots if slot["host"] in counsellors]
    people = await plugin.people(scope, sorted({slot["host"] for slot in slots}))
    return [{**slot, "counsellor": _name(people, slot["host"])} for slot in slots]


async def bookings(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The person's counselling sessions to come, with the counsellor's name."""
    rows = await plugin.appointments.bookings_of(scope, person_id, upcoming_only=True)
    rows = [row for row in rows if row["kind"] == COUNSELLING]
    people = await plugin.people(scope, sorted({row["host"] for row in rows if row["host"] is not None}))
    return [{**row, "counsellor": _name(people, row["host"])} for row in rows]


async def _counselling_slot(scope: TenantScope, slot_id: int) -> dict[str, Any]:
    slot = await plugin.appointments.slot(scope, slot_id)
    if slot["kind"] != COUNSELLING:
        raise NotFound()
    return slot


async def book(scope: TenantScope, person_id: int, slot_id: int) -> int:
    """A resident books a counselling session for themselves; Conflict (with its message)
    when it is full, cancelled, started, or already theirs."""
    await _counselling_slot(scope, slot_id)
    booking = await plugin.appointments.book(scope, slot_id, person_id)
    await plugin.audit(scope, "session.booked", actor_id=person_id, target=f"person:{person_id}", slot=slot_id)
    return booking


async def may_book_for(scope: TenantScope, counsellor_id: int, person_id: int) -> bool:
    """Whether the counsellor books sessions for the person: assigned to them, or having
    accepted a referral of theirs."""
    if await current_counsellor(scope, person_id) == counsellor_id:
        return True
    return bool(await scope.count(Referral).where(Referral.person_id == person_id,
                                                 Referral.accepted_by == counsellor_id))


async def book_for(scope: TenantScope, counsellor_id: int, person_id: int, data: dict[str, str]) -> int:
    """A counsellor books one of their own sessions (``slot_id``) for a resident they are
    assigned to or accepted a referral of (after a crisis call, say)."""
    await _counsellor(scope, counsellor_id)
    if not await _is_member(scope, person_id) or not await may_book_for(scope, counsellor_id, person_id):
        raise NotFound()
    try:
        chosen = choice_id(data.get("slot_id"))
    except FieldError:
        chosen = None
    if chosen is None:
        raise ValidationFailed({"slot_id": Message("Choose one of your sessions.")})
    try:
        slot = await _counselling_slot(scope, chosen)
    except NotFound:
        slot = None
    if slot is None or slot["host"] != counsellor_id:
        raise ValidationFailed({"slot_id": Message("Choose one of your sessions.")})
    booking = await plugin.appointments.book(scope, slot["id"], person_id)
    await plugin.audit(scope, "session.booked", actor_id=counsellor_id, target=f"person:{person_id}",
                       slot=slot["id"])
    return booking


async def cancel(scope: TenantScope, person_id: int, booking_id: int) -> None:
    """The resident cancels one of their bookings (NotFound for another's)."""
    mine = {row["booking"] for row in await bookings(scope, person_id)}
    if booking_id not in mine:
        raise NotFound()
    await plugin.appointments.cancel_booking(scope, booking_id, person_id=person_id)

