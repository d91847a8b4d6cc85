"""Appointment slots: schedules, booking with capacity kept under concurrency, cancellation,
listings and the reminder the day before.

Every slot has a ``kind`` that starts with its plugin's name (``legal_aid.duty``); the
functions that take a slot id take a ``namespace`` (``"legal_aid."``) and answer NotFound for a
slot outside it, so one plugin never reaches another's slots. Services raise core's errors,
each with a translated message; they take no request objects.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from core import clock, db
from core.appointments.schedules import WeeklyRule, slot_times
from core.appointments.tables import AppointmentBooking, AppointmentSlot
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import Message
from core.notifications.audience import Audience
from core.notifications.services import notify
from core.tenancy import TenantScope

# A kind's notifications are ``<kind>.cancelled`` and ``<kind>.reminder``, within a
# notification kind's 64 characters.
LONGEST_KIND = 54
# A booked person is reminded once, when the slot starts within this long.
REMIND_BEFORE = timedelta(hours=24)

SLOT_FIELDS = (AppointmentSlot.id, AppointmentSlot.kind, AppointmentSlot.host, AppointmentSlot.title,
               AppointmentSlot.place, AppointmentSlot.link, AppointmentSlot.starts_at, AppointmentSlot.ends_at,
               AppointmentSlot.capacity, AppointmentSlot.booked, AppointmentSlot.cancelled_at,
               AppointmentSlot.cancel_reason)


def _when(moment: datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M")


def _in(kind: str, namespace: str | None) -> bool:
    return namespace is None or kind.startswith(namespace)


def _slot_dict(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["free"] = 0 if row["cancelled_at"] is not None else max(row["capacity"] - row["booked"], 0)
    return row


async def _slot(scope: TenantScope, slot_id: int, namespace: str | None, *, for_update: bool = False
                ) -> AppointmentSlot:
    slot = await scope.get(AppointmentSlot, slot_id, for_update=for_update)
    if slot is None or not _in(slot.kind, namespace):
        raise NotFound(Message("This appointment slot does not exist."))
    return slot


def _check_slot(kind: str, starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    errors: dict[str, Message] = {}
    if not kind or len(kind) > LONGEST_KIND:
        raise ValueError(f"an appointment kind is <plugin>.<what>, at most {LONGEST_KIND} characters")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("appointment times are timezone-aware")
    if ends_at <= starts_at:
        errors["ends_at"] = Message("The end must be after the start.")
    if capacity < 1:
        errors["capacity"] = Message("At least one person must be able to book a slot.")
    if errors:
        raise ValidationFailed(errors)


# Schedules -------------------------------------------------------------------------


async def _lock_kind(scope: TenantScope, kind: str) -> None:
    """On PostgreSQL, schedules of one kind in one district are made one at a time, so two
    made at once do not collide on the unique index (SQLite's writes already queue)."""
    if not db.is_sqlite():
        await scope.raw(AppointmentSlot, "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock({tenant}, "
                                         "hashtext({})) AS taken) AS lock", f"core_appointment_slot:{kind}")


async def schedule_weekly(scope: TenantScope, kind: str, rule: WeeklyRule, *, host: int | None = None,
                          title: str = "", place: str = "", link: str = "") -> int:
    """Make the slots of a weekly rule (see :class:`WeeklyRule`) that do not exist yet and
    have not started; returns how many were made. Making the same rule again makes none."""
    times = slot_times(rule)
    now = clock.now()
    times = [(starts, ends) for starts, ends in times if starts > now]
    if not times:
        return 0
    _check_slot(kind, times[0][0], times[0][1], rule.capacity)
    async with scope.transaction(write=True):
        await _lock_kind(scope, kind)
        query = scope.select(AppointmentSlot, AppointmentSlot.starts_at).where(
            AppointmentSlot.kind == kind, AppointmentSlot.starts_at >= times[0][0],
            AppointmentSlot.starts_at <= times[-1][0])
        query = query.where(AppointmentSlot.host.is_null() if host is None else AppointmentSlot.host == host)
        existing = {row["starts_at"].timestamp() for row in await query}
        rows = [dict(kind=kind, host=host, title=title, place=place, link=link, starts_at=starts, ends_at=ends,
                     capacity=rule.capacity, booked=0, created_at=now)
                for starts, ends in times if starts.timestamp() not in existing]
        for start in range(0, len(rows), 500):
            await scope.insert_many(AppointmentSlot, rows[start:start + 500])
    return len(rows)


async def create_slot(scope: TenantScope, kind: str, starts_at: datetime, ends_at: datetime, *, capacity: int = 1,
                      host: int | None = None, title: str = "", place: str = "", link: str = "") -> AppointmentSlot:
    """One slot; Conflict when this kind and host already have one starting then."""
    _check_slot(kind, starts_at, ends_at, capacity)
    clash = Conflict(Message("There is already a slot at this time."))
    try:
        async with scope.transaction(write=True):
            await _lock_kind(scope, kind)
            query = scope.exists(AppointmentSlot).where(AppointmentSlot.kind == kind,
                                                        AppointmentSlot.starts_at == starts_at)
            query = query.where(AppointmentSlot.host.is_null() if host is None else AppointmentSlot.host == host)
            if await query:
                raise clash
            return await scope.create(AppointmentSlot, kind=kind, host=host, title=title, place=place, link=link,
                                      starts_at=starts_at, ends_at=ends_at, capacity=capacity, booked=0,
                                      created_at=clock.now())
    except Exception as error:
        if db.is_unique_violation(error):
            raise clash from error
        raise


async def cancel_slot(scope: TenantScope, slot_id: int, reason: str, *, namespace: str | None = None) -> int:
    """Cancel a slot: its live bookings are cancelled and each person booked is told why.
    Returns how many people were told (0 when it was already cancelled)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": Message("Say why the slot is cancelled.")})
    async with scope.transaction(write=True):
        slot = await _slot(scope, slot_id, namespace, for_update=True)
        if slot.cancelled_at is not None:
            return 0
        now = clock.now()
        people = [row["person"] for row in await scope.update(AppointmentBooking, {
            AppointmentBooking.cancelled_at: now}).where(
            AppointmentBooking.slot == slot.id, AppointmentBooking.cancelled_at.is_null()).returning(
            AppointmentBooking.person)]
        await scope.update(AppointmentSlot, {AppointmentSlot.cancelled_at: now, AppointmentSlot.cancel_reason: reason,
                                             AppointmentSlot.booked: 0}).where(AppointmentSlot.id == slot.id)
        if people:
            params = {"title": slot.title, "when": _when(slot.starts_at)}
            title = (Message("Cancelled: %(title)s at %(when)s", params) if slot.title
                     else Message("Cancelled: your appointment at %(when)s", params))
            await notify(scope, Audience.of(*people), kind=f"{slot.kind}.cancelled", title=title,
                         body=Message("Reason: %(reason)s", {"reason": reason}), link=slot.link)
    return len(people)


# Booking ---------------------------------------------------------------------------


async def book(scope: TenantScope, slot_id: int, person_id: int, *, namespace: str | None = None) -> int:
    """Book a place in a slot for a person; returns the booking's id.

    The place is taken by one conditional UPDATE (``booked < capacity``, not cancelled, not
    started) in the transaction that inserts the booking, so however many people book at
    once, no slot ends up with more bookings than places. Refused (Conflict) when the slot
    is full, cancelled or has started, or the person already holds a place in it.
    """
    already = Conflict(Message("You have already booked this slot."))
    try:
        async with scope.transaction(write=True):
            slot = await _slot(scope, slot_id, namespace)
            now = clock.now()
            taken = await scope.raw(
                AppointmentSlot,
                "UPDATE core_appointment_slot SET booked = booked + 1 WHERE tenant_id = {tenant} AND id = {} "
                "AND booked < capacity AND cancelled_at IS NULL AND starts_at > {} RETURNING id", slot.id, now)
            if not taken:
                slot = await _slot(scope, slot_id, namespace)
                if slot.cancelled_at is not None:
                    raise Conflict(Message("This slot was cancelled."))
                if slot.starts_at <= now:
                    raise Conflict(Message("This slot has already started."))
                raise Conflict(Message("This slot is full."))
            # The slot's row is locked by the UPDATE until commit: bookings of it queue here.
            if await scope.exists(AppointmentBooking).where(AppointmentBooking.slot == slot.id,
                                                            AppointmentBooking.person == person_id,
                                                            AppointmentBooking.cancelled_at.is_null()):
                raise already
            booking = await scope.create(AppointmentBooking, slot=slot.id, person=person_id, created_at=now)
            return booking.id
    except Exception as error:
        if db.is_unique_violation(error):
            raise already from error
        raise


async def cancel_booking(scope: TenantScope, booking_id: int, *, person_id: int | None = None,
                         namespace: str | None = None) -> None:
    """Cancel a booking and free its place: by the person who holds it (``person_id``), or by
    staff (no ``person_id``). Not once the slot has started; cancelling twice changes nothing."""
    async with scope.transaction(write=True):
        booking = await scope.get(AppointmentBooking, booking_id, for_update=True)
        if booking is None or (person_id is not None and booking.person != person_id):
            raise NotFound(Message("This booking does not exist."))
        slot = await _slot(scope, booking.slot, namespace)
        if booking.cancelled_at is not None:
            return
        if slot.starts_at <= clock.now():
            raise Conflict(Message("A booking cannot be cancelled once its slot has started."))
        await scope.update(AppointmentBooking, {AppointmentBooking.cancelled_at: clock.now()}).where(
            AppointmentBooking.id == booking.id)
        await scope.raw(AppointmentSlot, "UPDATE core_appointment_slot SET booked = booked - 1 "
                                         "WHERE tenant_id = {tenant} AND id = {} AND booked > 0", slot.id)


# Listings --------------------------------------------------------------------------


async def slot(scope: TenantScope, slot_id: int, *, namespace: str | None = None) -> dict[str, Any]:
    """One slot (its fields, and ``free``: places left)."""
    row = await scope.select(AppointmentSlot, *SLOT_FIELDS).where(AppointmentSlot.id == slot_id).first()
    if row is None or not _in(row["kind"], namespace):
        raise NotFound(Message("This appointment slot does not exist."))
    return _slot_dict(row)


async def free_slots(scope: TenantScope, kind: str, start: datetime, end: datetime, *,
                     host: int | None = None) -> list[dict[str, Any]]:
    """Slots of a kind (of one host) that start between ``start`` and ``end``, have not started,
    are not cancelled and have a place left, in order of time."""
    query = scope.select(AppointmentSlot, *SLOT_FIELDS).where(
        AppointmentSlot.kind == kind, AppointmentSlot.cancelled_at.is_null(),
        AppointmentSlot.starts_at >= max(start, clock.now()), AppointmentSlot.starts_at < end)
    if host is not None:
        query = query.where(AppointmentSlot.host == host)
    rows = await query.order_by(AppointmentSlot.starts_at).order_by(AppointmentSlot.id)
    return [_slot_dict(row) for row in rows if row["booked"] < row["capacity"]]


async def slots(scope: TenantScope, kind: str, start: datetime, end: datetime, *,
                host: int | None = None) -> list[dict[str, Any]]:
    """Every slot of a kind (of one host) that starts between ``start`` and ``end``, free, full
    or cancelled, in order of time: a host's roster."""
    query = scope.select(AppointmentSlot, *SLOT_FIELDS).where(
        AppointmentSlot.kind == kind, AppointmentSlot.starts_at >= start, AppointmentSlot.starts_at < end)
    if host is not None:
        query = query.where(AppointmentSlot.host == host)
    rows = await query.order_by(AppointmentSlot.starts_at).order_by(AppointmentSlot.id)
    return [_slot_dict(row) for row in rows]


async def bookings_of(scope: TenantScope, person_id: int, *, namespace: str | None = None,
                      upcoming_only: bool = False, include_cancelled: bool = False) -> list[dict[str, Any]]:
    """A person's bookings (with their slots' time, place, title…), in order of time:
    ``booking``, ``slot``, ``booked_at``, ``cancelled_at`` and the slot's fields
    (``slot_cancelled_at``, ``cancel_reason`` when the slot was cancelled)."""
    query = scope.select(AppointmentBooking, AppointmentBooking.id, AppointmentBooking.slot,
                         AppointmentBooking.created_at, AppointmentBooking.cancelled_at).where(
        AppointmentBooking.person == person_id)
    if not include_cancelled:
        query = query.where(AppointmentBooking.cancelled_at.is_null())
    bookings = await query
    if not bookings:
        return []
    slots = {row["id"]: row for row in await scope.select(AppointmentSlot, *SLOT_FIELDS).where(
        AppointmentSlot.id.is_in(sorted({b["slot"] for b in bookings})))}
    now = clock.now()
    found = []
    for booking in bookings:
        row = slots.get(booking["slot"])
        if row is None or not _in(row["kind"], namespace) or (upcoming_only and row["starts_at"] <= now):
            continue
        found.append({"booking": booking["id"], "slot": row["id"], "booked_at": booking["created_at"],
                      "cancelled_at": booking["cancelled_at"], "kind": row["kind"], "host": row["host"],
                      "title": row["title"], "place": row["place"], "link": row["link"],
                      "starts_at": row["starts_at"], "ends_at": row["ends_at"],
                      "slot_cancelled_at": row["cancelled_at"], "cancel_reason": row["cancel_reason"]})
    return sorted(found, key=lambda item: (item["starts_at"], item["booking"]))


async def roster(scope: TenantScope, slot_id: int, *, namespace: str | None = None,
                 include_cancelled: bool = False) -> list[dict[str, Any]]:
    """Who booked a slot, in the order they booked: ``booking``, ``person``, ``booked_at``,
    ``cancelled_at``."""
    await _slot(scope, slot_id, namespace)
    query = scope.select(AppointmentBooking, AppointmentBooking.id, AppointmentBooking.person,
                         AppointmentBooking.created_at, AppointmentBooking.cancelled_at).where(
        AppointmentBooking.slot == slot_id)
    if not include_cancelled:
        query = query.where(AppointmentBooking.cancelled_at.is_null())
    return [{"booking": row["id"], "person": row["person"], "booked_at": row["created_at"],
             "cancelled_at": row["cancelled_at"]} for row in await query.order_by(AppointmentBooking.id)]


# Reminders -------------------------------------------------------------------------


async def send_reminders(scope: TenantScope) -> int:
    """Remind each person booked in a slot that starts within the next 24 hours, once: the
    booking is marked reminded in the transaction that queues the notification, so a second
    run (or two runs at once) reminds nobody again. Returns how many people were reminded."""
    now = clock.now()
    async with scope.transaction(write=True):
        slots = {row["id"]: row for row in await scope.select(AppointmentSlot, *SLOT_FIELDS).where(
            AppointmentSlot.cancelled_at.is_null(), AppointmentSlot.starts_at > now,
            AppointmentSlot.starts_at <= now + REMIND_BEFORE)}
        if not slots:
            return 0
        reminded = await scope.update(AppointmentBooking, {AppointmentBooking.reminded_at: now}).where(
            AppointmentBooking.slot.is_in(sorted(slots)), AppointmentBooking.cancelled_at.is_null(),
            AppointmentBooking.reminded_at.is_null()).returning(AppointmentBooking.slot, AppointmentBooking.person)
        people: dict[int, list[int]] = defaultdict(list)
        for row in reminded:
            people[row["slot"]].append(row["person"])
        for slot_id, persons in sorted(people.items()):
            row = slots[slot_id]
            params = {"title": row["title"], "when": _when(row["starts_at"]), "place": row["place"]}
            title = (Message("Reminder: %(title)s at %(when)s", params) if row["title"]
                     else Message("Reminder: your appointment at %(when)s", params))
            body = Message("Place: %(place)s", params) if row["place"] else None
            await notify(scope, Audience.of(*persons), kind=f"{row['kind']}.reminder", title=title, body=body,
                         link=row["link"])
    return len(reminded)
