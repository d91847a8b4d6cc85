"""Appointment slots and their bookings."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar

from core.tenancy import TenantOwned


class AppointmentSlot(TenantOwned, tablename="core_appointment_slot"):
    """A time residents can book, up to ``capacity`` people. A slot belongs to a namespace
    ``kind`` that starts with the owning plugin's name (``mental_health.counselling``); one
    kind, host and start time make one slot (a unique index), so a weekly schedule made
    twice makes no duplicates."""

    kind = Varchar(length=80, help_text="Whose slots these are: <plugin>.<what>, e.g. legal_aid.duty")
    host = Integer(null=True, default=None, help_text="accounts_person.id of who receives people (a counsellor…)")
    title = Varchar(length=200, default="", help_text="What the appointment is, as people are told")
    place = Text(default="", help_text="Where it takes place")
    link = Varchar(length=300, default="", help_text="The page of this site notifications about it link to")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer(default=1, help_text="How many people can book it")
    booked = Integer(default=0, help_text="How many live bookings it has (never above capacity)")
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="", help_text="Why it was cancelled, as the people booked were told")


class AppointmentBooking(TenantOwned, tablename="core_appointment_booking"):
    """A person's place in a slot; a person holds at most one live (not cancelled) booking per
    slot (a partial unique index)."""

    slot = ForeignKey(AppointmentSlot, on_delete=OnDelete.cascade, index=True)
    person = Integer(index=True, help_text="accounts_person.id")
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None, help_text="When the reminder the day before was sent")
