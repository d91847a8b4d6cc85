"""Volunteer activities: posting one (its time and capacity are one of core's appointment
slots, so sign-ups hold under concurrency), signing up and cancelling, checking in and out with
a code that changes every minute, and the organiser's confirmation, which awards the points.

The organiser's phone shows, each minute, a link for checking in (or out) and a six-digit code
for phones without a camera app. A link or code is good for the minute it was shown and the
one after; check-in opens 30 minutes before the start and closes at the end, check-out opens at
the start and closes an hour after the end. The minutes counted run from check-in to
check-out, never more than the activity lasts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.sdk import (CHINA, Conflict, Form, Message, NotFound, TenantScope, ValidationFailed, clean_text, now,
                      whole_number)

from plugins.volunteer_exchange import points
from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.tables import Activity, Adjustment, Attendance

KIND = "volunteer_exchange.activity"
ORGANISER = "volunteer_exchange.organiser"
ORGANISERS = frozenset({ORGANISER, "district_admin"})
LONGEST = timedelta(hours=12)
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_OUT_LATE = timedelta(hours=1)
PURPOSES = ("in", "out")


def _moment(form: Form, name: str) -> datetime | None:
    value = form.field(name, clean_text, max_length=16) or ""
    if not value:
        form.error(name, Message("Give a date and time, like 2026-12-01 09:00."))
        return None
    try:
        return datetime.fromisoformat(value.replace("T", " ")).replace(tzinfo=CHINA)
    except ValueError:
        form.error(name, Message("Give a date and time, like 2026-12-01 09:00."))
        return None


async def post(scope: TenantScope, organiser_id: int, data: dict[str, str]) -> Activity:
    """An activity from the organiser's form; its slot and its row are written together."""
    form = Form(data)
    title = form.field("title", clean_text, max_length=100)
    description = form.field("description", clean_text, max_length=2000, multiline=True, required=False) or ""
    place = form.field("place", clean_text, max_length=200)
    organisation = form.field("organisation", clean_text, max_length=100, required=False) or ""
    skills = form.field("skills", clean_text, max_length=200, required=False) or ""
    starts_at, ends_at = _moment(form, "starts_at"), _moment(form, "ends_at")
    if starts_at and starts_at <= now():
        form.error("starts_at", Message("Choose a time that has not passed."))
    if starts_at and ends_at and not starts_at < ends_at <= starts_at + LONGEST:
        form.error("ends_at", Message("An activity ends after it starts, within 12 hours."))
    capacity = form.field("capacity", whole_number, low=1, high=1000)
    if capacity is None and "capacity" not in form.errors:
        form.error("capacity", Message("Say how many volunteers it needs."))
    rate = form.field("points_per_hour", whole_number, low=1, high=1000)
    form.raise_if_invalid()
    if rate is None:
        rate = int((await plugin.settings(scope))["points_per_hour"])
    slug = await plugin.slug_of(scope)
    async with scope.transaction(write=True):
        activity = await scope.create(Activity, slot_id=0, organiser=organiser_id, organisation=organisation,
                                      title=title, description=description, place=place, skills=skills,
                                      starts_at=starts_at, ends_at=ends_at, points_per_hour=rate,
                                      code_secret=secrets.token_hex(32), created_at=now())
        slot_id = await plugin.appointments.create_slot(
            scope, KIND, starts_at, ends_at, capacity=capacity, host=organiser_id, title=title, place=place,
            link=f"/t/{slug}/p/volunteer_exchange/activities/{activity.id}")
        await scope.update(Activity, {Activity.slot_id: slot_id}).where(Activity.id == activity.id)
        activity.slot_id = slot_id
        await plugin.audit(scope, "activity_posted", actor_id=organiser_id,
                           target=f"volunteer_exchange_activity:{activity.id}")
    return activity


async def get(scope: TenantScope, activity_id: int) -> Activity:
    found = await scope.get(Activity, activity_id)
    if found is None:
        raise NotFound()
    return found


async def upcoming(scope: TenantScope) -> list[dict[str, Any]]:
    """Activities that have not ended, soonest first, with the places left."""
    rows = await scope.select(Activity).where(Activity.ends_at > now()).order_by(Activity.starts_at)
    if not rows:
        return []
    slots = {slot["id"]: slot for slot in await plugin.appointments.slots(
        scope, KIND, rows[0]["starts_at"], rows[-1]["starts_at"] + timedelta(seconds=1))}
    return [{**row, "free": slots[row["slot_id"]]["free"], "capacity": slots[row["slot_id"]]["capacity"]}
            for row in rows if row["slot_id"] in slots]


async def booking(scope: TenantScope, person_id: int, activity: Activity) -> dict[str, Any] | None:
    """The volunteer's live sign-up for the activity, if any."""
    for found in await plugin.appointments.bookings_of(scope, person_id):
        if found["slot"] == activity.slot_id:
            return found
    return None


async def sign_up(scope: TenantScope, person_id: int, activity_id: int) -> int:
    """A place for the volunteer (Conflict when it is full, has started, or they have one)."""
    activity = await get(scope, activity_id)
    return await plugin.appointments.book(scope, activity.slot_id, person_id)


async def cancel(scope: TenantScope, person_id: int, activity_id: int) -> None:
    activity = await get(scope, activity_id)
    found = await booking(scope, person_id, activity)
    if found is None:
        raise Conflict(Message("You have not signed up for this activity."))
    await plugin.appointments.cancel_booking(scope, found["booking"], person_id=person_id)


async def roster(scope: TenantScope, organiser_id: int, roles: frozenset[str] | set[str],
                 activity_id: int) -> list[dict[str, Any]]:
    """Who signed up, with their check-in, check-out and confirmation: for its organiser (or a
    district admin)."""
    activity = await _organised(scope, organiser_id, roles, activity_id)
    signed = await plugin.appointments.roster(scope, activity.slot_id)
    people = await plugin.people(scope, [row["person"] for row in signed])
    attended = {row["person_id"]: row for row in await scope.select(Attendance).where(
        Attendance.activity == activity.id)}
    return [{"person_id": row["person"], "name": people.get(row["person"], {}).get("display_name", ""),
             "attendance": attended.get(row["person"])} for row in signed]


async def _organised(scope: TenantScope, organiser_id: int, roles, activity_id: int) -> Activity:
    activity = await get(scope, activity_id)
    if activity.organiser != organiser_id and "district_admin" not in roles:
        raise NotFound()
    return activity


# Codes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    token: str  # in the link: <purpose>-<minute>-<signature>
    short: str  # six digits, typed


def _signature(activity: Activity, purpose: str, minute: int) -> str:
    return hmac.new(bytes.fromhex(activity.code_secret), f"{activity.id}:{purpose}:{minute}".encode(),
                    hashlib.sha256).hexdigest()


def code(activity: Activity, purpose: str, moment: datetime | None = None) -> Code:
    """The code the organiser's phone shows for this minute."""
    minute = int((moment or now()).timestamp() // 60)
    signature = _signature(activity, purpose, minute)
    return Code(f"{purpose}-{minute}-{signature[:20]}", f"{int(signature[:12], 16) % 1_000_000:06d}")


def _read(activity: Activity, given: str) -> str | None:
    """The purpose of a code shown this minute or the last (None: wrong or expired)."""
    # As bytes: compare_digest refuses str with characters beyond ASCII, which anyone may type.
    given = (given or "").strip().encode()
    current = int(now().timestamp() // 60)
    for minute in (current, current - 1):
        for purpose in PURPOSES:
            expected = code(activity, purpose, datetime.fromtimestamp(minute * 60, tz=CHINA))
            if hmac.compare_digest(given, expected.token.encode()) or hmac.compare_digest(given, expected.short.encode()):
                return purpose
    return None


async def check(scope: TenantScope, person_id: int, activity_id: int, given: str) -> tuple[str, Attendance]:
    """Check in or out with a code from the organiser's phone; returns which, and the row."""
    activity = await get(scope, activity_id)
    purpose = _read(activity, given)
    if purpose is None:
        raise ValidationFailed({"code": Message("This code is wrong or has expired: codes change every minute. "
                                                "Scan or type the one shown now.")})
    if await booking(scope, person_id, activity) is None:
        raise Conflict(Message("Sign up for this activity before checking in."))
    moment = now()
    if purpose == "in":
        if not activity.starts_at - CHECK_IN_EARLY <= moment <= activity.ends_at:
            raise Conflict(Message("Check-in is open from 30 minutes before the start until the end."))
        async with scope.transaction(write=True):
            if await scope.exists(Attendance).where(Attendance.activity == activity.id,
                                                    Attendance.person_id == person_id):
                raise Conflict(Message("You have already checked in."))
            try:
                row = await scope.create(Attendance, activity=activity.id, person_id=person_id, checked_in_at=moment)
            except Exception as error:  # the same volunteer at the same moment: the unique index keeps one
                raise Conflict(Message("You have already checked in.")) from error
        return purpose, row
    if not activity.starts_at <= moment <= activity.ends_at + CHECK_OUT_LATE:
        raise Conflict(Message("Check-out is open from the start until an hour after the end."))
    async with scope.transaction(write=True):
        row = await scope.objects(Attendance).where(Attendance.activity == activity.id,
                                                    Attendance.person_id == person_id).first()
        if row is None:
            raise Conflict(Message("Check in before checking out."))
        if row.checked_out_at is not None:
            raise Conflict(Message("You have already checked out."))
        length = activity.ends_at - activity.starts_at
        row.checked_out_at = moment
        row.minutes = int(min(moment - row.checked_in_at, length).total_seconds() // 60)
        await scope.save(row)
    return purpose, row


async def confirm(scope: TenantScope, organiser_id: int, roles, attendance_id: int) -> Attendance:
    """The organiser confirms a volunteer's minutes; the volunteer earns the activity's points
    per hour for them, and a star volunteer the district's bonus per star (whole points,
    rounded down), in the same transaction. Twice is once."""
    async with scope.transaction(write=True):
        row = await scope.get(Attendance, attendance_id, for_update=True)
        if row is None:
            raise NotFound()
        activity = await _organised(scope, organiser_id, roles, row.activity)
        if row.confirmed_at is not None:
            return row
        if row.checked_out_at is None:
            raise Conflict(Message("The volunteer has not checked out yet."))
        province = await plugin.province_of(scope)
        stars = points.stars_for(await points.hours_of(province, row.person_id))
        bonus = int((await plugin.settings(scope))["star_bonus_percent"])
        earned = points_for(row.minutes, activity.points_per_hour, stars, bonus)
        row.confirmed_at, row.confirmed_by, row.points = now(), organiser_id, earned
        await scope.save(row)
        await points.award(province, scope.tenant_id, row.person_id, earned,
                           key=f"{scope.tenant_id}:attendance:{row.id}", memo=activity.title, actor_id=organiser_id,
                           minutes=row.minutes, served_on=activity.starts_at)
        await plugin.audit(scope, "hours_confirmed", actor_id=organiser_id,
                           target=f"volunteer_exchange_attendance:{row.id}", minutes=row.minutes, points=earned)
    return row


def points_for(minutes: int, per_hour: int, stars: int = 0, bonus_percent: int = 0) -> int:
    """Points for confirmed minutes: the rate per hour, plus ``bonus_percent`` per star."""
    return minutes * per_hour * (100 + bonus_percent * stars) // 6000


async def adjust(scope: TenantScope, organiser_id: int, roles, attendance_id: int, data: dict[str, str]) -> Adjustment:
    """A later correction of confirmed minutes (``minutes``, more or fewer, with a ``reason``),
    recorded beside the attendance, never an edit of it: the points follow at the activity's
    rate, added or taken back (refused when the volunteer has spent them), in one transaction."""
    row = await scope.get(Attendance, attendance_id)
    if row is None:
        raise NotFound()
    activity = await _organised(scope, organiser_id, roles, row.activity)
    if row.confirmed_at is None:
        raise Conflict(Message("Confirm the hours before correcting them."))
    form = Form(data)
    delta = form.field("minutes", whole_number, low=-720, high=720)
    if not delta and "minutes" not in form.errors:
        form.error("minutes", Message("Give the minutes to add, or to take off with a minus sign."))
    reason = form.field("reason", clean_text, max_length=500, multiline=True)
    form.raise_if_invalid()
    length = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
    async with scope.transaction(write=True):
        earlier = await scope.select(Adjustment, Adjustment.minutes, Adjustment.points).where(
            Adjustment.attendance == row.id)
        minutes = row.minutes + sum(a["minutes"] for a in earlier)
        if not 0 <= minutes + delta <= length:
            raise ValidationFailed({"minutes": Message(
                "The minutes would be %(total)s; they stay between 0 and the activity's %(length)s.",
                {"total": minutes + delta, "length": length})})
        awarded = row.points + sum(a["points"] for a in earlier)
        moved = points_for(minutes + delta, activity.points_per_hour) - points_for(minutes, activity.points_per_hour)
        moved = max(moved, -awarded)
        adjustment = await scope.create(Adjustment, attendance=row.id, minutes=delta, points=moved, reason=reason,
                                        made_by=organiser_id, made_at=now())
        await points.correct(await plugin.province_of(scope), scope.tenant_id, row.person_id, moved,
                             key=f"{scope.tenant_id}:adjustment:{adjustment.id}", minutes=delta,
                             memo=f"{activity.title}: {reason}"[:100], actor_id=organiser_id,
                             served_on=activity.starts_at)
        await plugin.audit(scope, "hours_adjusted", actor_id=organiser_id,
                           target=f"volunteer_exchange_attendance:{row.id}", minutes=delta, points=moved)
    return adjustment


async def activity_of(scope: TenantScope, attendance_id: int) -> int:
    row = await scope.get(Attendance, attendance_id)
    if row is None:
        raise NotFound()
    return row.activity


async def my_hours(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The volunteer's attendances in the district, newest first, with each activity."""
    rows = await scope.select(Attendance).where(Attendance.person_id == person_id).order_by(Attendance.id,
                                                                                             ascending=False)
    titles = {row["id"]: row for row in await scope.select(Activity, Activity.id, Activity.title, Activity.starts_at)
              .where(Activity.id.is_in([r["activity"] for r in rows] or [0]))}
    return [{**row, "activity_title": titles.get(row["activity"], {}).get("title", "")} for row in rows]

