"""Lawyers' duty hours: recurring on-site hours in a community (every Tuesday 9:00–11:30 at
the community service centre) and online hours, with holidays left out and single hours
cancelled; residents book a place, are reminded the day before, and may cancel. All of it
is core's appointment slots (kinds ``legal_aid.on_site`` and ``legal_aid.online``, hosted by
the lawyer): capacity holds under concurrency there."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from core.sdk import CHINA, Form, Message, PermissionDenied, TenantScope, ValidationFailed, WeeklyRule, clean_text, now

from plugins.legal_aid import people
from plugins.legal_aid.handle import plugin

ON_SITE = "legal_aid.on_site"
ONLINE = "legal_aid.online"
MODES = {"on_site": ON_SITE, "online": ONLINE}
BOOKABLE_AHEAD = timedelta(days=60)


def _date(form: Form, name: str, value: str | None = None) -> date | None:
    text = (value if value is not None else form.field(name, clean_text, max_length=10)) or ""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
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


def _number(form: Form, name: str, default: int, low: int, high: int, message: Message) -> int | None:
    value = form.field(name, clean_text, max_length=4, required=False) or str(default)
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        form.error(name, message)
        return None
    return int(value)


async def _lawyers(scope: TenantScope) -> dict[int, str]:
    holding = set(await plugin.holders(scope, [people.LAWYER]))
    return {row["person_id"]: row["name"] for row in await people.advisers(scope, kind="lawyer")
            if row["person_id"] in holding}


async def lawyers(scope: TenantScope) -> dict[int, str]:
    """The district's lawyers (recorded and holding the role): person id → name."""
    return await _lawyers(scope)


async def _may_schedule(scope: TenantScope, actor_id: int, roles, lawyer_id: int) -> None:
    if roles & people.MANAGERS or (people.LAWYER in roles and lawyer_id == actor_id):
        return
    raise PermissionDenied(Message("Only the district's administrators, or the lawyer, set a lawyer's duty hours."))


async def schedule(scope: TenantScope, actor_id: int, roles, data: dict[str, str]) -> int:
    """Weekly duty hours of a lawyer (``lawyer``, ``mode`` on_site with a ``community`` or
    online, ``day1``…``day7``, ``start``, ``end``, ``minutes``, ``capacity``, ``first_day``,
    ``last_day``, ``holidays`` one date per line); returns how many hours were made. Hours
    that overlap the lawyer's hours already scheduled are refused, naming the first."""
    form = Form(data)
    known = await _lawyers(scope)
    lawyer = int(data["lawyer"]) if data.get("lawyer", "").isdigit() else None
    if lawyer not in known:
        form.error("lawyer", Message("Choose one of the district's lawyers."))
    mode = data.get("mode", "")
    if mode not in MODES:
        form.error("mode", Message("Choose on site or online."))
    communities = {row["id"]: row["name"] for row in await plugin.communities(scope)}
    community = int(data["community"]) if data.get("community", "").isdigit() else None
    if mode == "on_site" and community not in communities:
        form.error("community", Message("Choose the community where the lawyer is on duty."))
    weekdays = {number for number in range(1, 8) if data.get(f"day{number}")}
    if not weekdays:
        form.error("weekdays", Message("Choose at least one day of the week."))
    start, end = _time(form, "start"), _time(form, "end")
    minutes = _number(form, "minutes", 30, 10, 240, Message("An appointment lasts between 10 and 240 minutes."))
    capacity = _number(form, "capacity", 1, 1, 50, Message("From 1 to 50 people per appointment."))
    first_day, last_day = _date(form, "first_day"), _date(form, "last_day")
    place = form.field("place", clean_text, max_length=120, required=False) or ""
    holidays = set()
    for line in (data.get("holidays", "") or "").replace(",", "\n").splitlines():
        if line.strip():
            day = _date(form, "holidays", line)
            if day is not None:
                holidays.add(day)
    form.raise_if_invalid()
    await _may_schedule(scope, actor_id, roles, lawyer)
    rule = WeeklyRule(weekdays=weekdays, start=start, end=end, minutes=minutes, first_day=first_day,
                      last_day=last_day, capacity=capacity, holidays=holidays)
    times = [pair for pair in rule.times() if pair[0] > now()]
    if not times:
        raise ValidationFailed({"first_day": Message("These hours make no appointment from now on.")})
    standing = []
    for kind in MODES.values():
        standing += [slot for slot in await plugin.appointments.slots(scope, kind, times[0][0] - timedelta(days=1),
                                                                     times[-1][1], host=lawyer)
                     if slot["cancelled_at"] is None]
    for slot in sorted(standing, key=lambda slot: slot["starts_at"]):
        if any(starts < slot["ends_at"] and slot["starts_at"] < ends for starts, ends in times):
            raise ValidationFailed({"start": Message(
                "These hours overlap the lawyer's hours already scheduled at %(when)s.",
                {"when": slot["starts_at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M")})})
    if mode == "on_site" and not place:
        place = communities[community]
    slug = await plugin.slug_of(scope)
    made = await plugin.appointments.schedule_weekly(scope, MODES[mode], rule, host=lawyer, place=place,
                                                     title=communities.get(community, "") if mode == "on_site" else "",
                                                     link=f"/t/{slug}/p/legal_aid/duty")
    await plugin.audit(scope, "duty_scheduled", actor_id=actor_id, target=f"person:{lawyer}", made=made, mode=mode)
    return made


def _local_day_start() -> datetime:
    return datetime.combine(now().astimezone(CHINA).date(), time(0), tzinfo=CHINA)


async def roster(scope: TenantScope, lawyer_id: int | None = None) -> list[dict[str, Any]]:
    """Duty hours from today on (one lawyer's, or everyone's), with who booked."""
    start = _local_day_start()
    names = await _lawyers(scope)
    found = []
    for mode, kind in MODES.items():
        for slot in await plugin.appointments.slots(scope, kind, start, start + timedelta(days=400), host=lawyer_id):
            booked = await plugin.appointments.roster(scope, slot["id"]) if slot["booked"] else []
            found.append({**slot, "mode": mode, "lawyer": names.get(slot["host"], ""),
                          "people": [row["person"] for row in booked]})
    people_names = await plugin.people(scope, sorted({p for slot in found for p in slot["people"]}))
    for slot in found:
        slot["names"] = [people_names.get(p, {}).get("display_name", "") for p in slot["people"]]
    return sorted(found, key=lambda slot: slot["starts_at"])


async def cancel(scope: TenantScope, actor_id: int, roles, slot_id: int, data: dict[str, str]) -> int:
    """Cancel one duty hour, saying why; those booked are told. Returns how many were (0 for
    an hour already cancelled, whatever the reason typed: its form is no longer shown)."""
    slot = await plugin.appointments.slot(scope, slot_id)
    await _may_schedule(scope, actor_id, roles, slot["host"])
    if slot["cancelled_at"] is not None:
        return 0
    form = Form(data)
    reason = form.field("reason", clean_text, max_length=200)
    form.raise_if_invalid()
    told = await plugin.appointments.cancel_slot(scope, slot_id, reason)
    await plugin.audit(scope, "duty_cancelled", actor_id=actor_id, target=f"appointment_slot:{slot_id}")
    return told


async def free(scope: TenantScope) -> list[dict[str, Any]]:
    """Duty hours residents can still book in the coming weeks, in order of time."""
    moment = now()
    names = await _lawyers(scope)
    found = []
    for mode, kind in MODES.items():
        found += [{**slot, "mode": mode, "lawyer": names[slot["host"]]}
                  for slot in await plugin.appointments.free_slots(scope, kind, moment, moment + BOOKABLE_AHEAD)
                  if slot["host"] in names]
    return sorted(found, key=lambda slot: slot["starts_at"])


async def book(scope: TenantScope, person_id: int, slot_id: int) -> int:
    booking = await plugin.appointments.book(scope, slot_id, person_id)
    await plugin.audit(scope, "duty_booked", actor_id=person_id, target=f"appointment_slot:{slot_id}")
    return booking


async def bookings(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    rows = await plugin.appointments.bookings_of(scope, person_id, upcoming_only=True)
    names = await _lawyers(scope)
    return [{**row, "lawyer": names.get(row.get("host"), "")} for row in rows]


async def cancel_booking(scope: TenantScope, person_id: int, booking_id: int) -> None:
    await plugin.appointments.cancel_booking(scope, booking_id, person_id=person_id)
