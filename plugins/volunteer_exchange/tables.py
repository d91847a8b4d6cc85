"""The plugin's tables. The points ledger is province-wide (the manifest's
``province_tables``): a volunteer's points follow them across districts, so its rows belong to
a province, not to a district, and only the plugin's named platform operations read or write
them. Every name starts with the plugin's name."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.sdk import LedgerAccount, LedgerTransfer, TenantOwned


class PointAccount(LedgerAccount, tablename="volunteer_exchange_account"):
    """A points account in a province's book: a volunteer's points from one district
    (``volunteer:<person>:<district>``), or a district's issuance, rewards or clearing account.
    Keys start with the province."""

    province = Varchar(length=50, index=True)
    district_id = Integer(help_text="The district the account is of (for a volunteer's: where the points were earned)")
    person_id = Integer(null=True, default=None, index=True, help_text="The volunteer, for a volunteer's account")


class PointTransfer(LedgerTransfer, tablename="volunteer_exchange_transfer"):
    """A movement of points in a province's book."""

    province = Varchar(length=50, index=True)
    district_id = Integer(index=True, help_text="The district where it happened")


class Service(Table, tablename="volunteer_exchange_service"):
    """A volunteer's confirmed service, kept province-wide with the points it earned: their
    hours follow them across districts (star levels, the certificate of service)."""

    key = Varchar(length=160, help_text="The award's idempotency key (unique)")
    province = Varchar(length=50, index=True)
    district_id = Integer()
    person_id = Integer(index=True)
    activity = Varchar(length=100, help_text="The activity's title")
    served_on = Timestamptz(help_text="When the activity began")
    minutes = Integer()
    points = Integer()


class Member(Table, tablename="volunteer_exchange_member"):
    """A district in its province's points exchange (通兑通用), since its admin agreed; a
    district that leaves has ``left_at``."""

    province = Varchar(length=50, index=True)
    district_id = Integer(index=True)
    joined_at = Timestamptz()
    joined_by = Integer()
    left_at = Timestamptz(null=True, default=None)


# A district's activities and rewards ----------------------------------------------------


class Activity(TenantOwned, tablename="volunteer_exchange_activity"):
    """A volunteer activity a community or social organisation posts: its time and capacity
    are one of core's appointment slots (sign-ups are bookings)."""

    slot_id = Integer(index=True, help_text="core_appointment_slot.id")
    organiser = Integer(help_text="accounts_person.id of who posted it and confirms the hours")
    organisation = Varchar(length=100, default="", help_text="The community or social organisation behind it")
    title = Varchar(length=100)
    description = Text(default="")
    place = Varchar(length=200, default="")
    skills = Varchar(length=200, default="", help_text="Skills wanted")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    points_per_hour = Integer(help_text="Points a confirmed hour earns")
    code_secret = Varchar(length=64, help_text="Key of the check-in and check-out codes (secret)", secret=True)
    created_at = Timestamptz()


class Attendance(TenantOwned, tablename="volunteer_exchange_attendance"):
    """A volunteer's check-in and check-out at an activity (one per volunteer and activity: a
    unique index), the minutes they make, and the organiser's confirmation."""

    activity = ForeignKey(references=Activity, on_delete=OnDelete.cascade, index=True)
    person_id = Integer(index=True)
    checked_in_at = Timestamptz()
    checked_out_at = Timestamptz(null=True, default=None)
    minutes = Integer(default=0, help_text="Check-in to check-out, capped at the activity's length")
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_by = Integer(null=True, default=None)
    points = Integer(default=0, help_text="The points the confirmation awarded")


class Reward(TenantOwned, tablename="volunteer_exchange_reward"):
    """An item of the district's rewards catalogue (礼遇项目), from a merchant or from charity
    resources: its stock (taken one by one, atomically), price in points, validity and the
    star level it asks for. ``merchant`` verifies its redemption codes."""

    title = Varchar(length=100)
    description = Text(default="")
    provider = Varchar(length=100, help_text="The merchant or charity that gives it")
    merchant = Integer(help_text="accounts_person.id of who verifies its codes")
    price = Integer(help_text="Points")
    stock = Integer()
    min_stars = Integer(default=0)
    valid_until = Timestamptz()
    created_by = Integer()
    created_at = Timestamptz()


class Redemption(TenantOwned, tablename="volunteer_exchange_redemption"):
    """A reward bought with points: its code (unique in the district), which the merchant
    verifies once. ``key`` is the volunteer's idempotency key (unique): a request sent twice
    is one redemption."""

    reward = ForeignKey(references=Reward, on_delete=OnDelete.restrict, index=True)
    person_id = Integer(index=True)
    points = Integer()
    code = Varchar(length=12)
    key = Varchar(length=80)
    created_at = Timestamptz()
    verified_at = Timestamptz(null=True, default=None)
    verified_by = Integer(null=True, default=None)


class Adjustment(TenantOwned, tablename="volunteer_exchange_adjustment"):
    """A later correction of a confirmed attendance, recorded (never an edit of it): the minutes
    added or taken off, the points that moved with them, and why."""

    attendance = ForeignKey(references=Attendance, on_delete=OnDelete.cascade, index=True)
    minutes = Integer()
    points = Integer()
    reason = Text()
    made_by = Integer()
    made_at = Timestamptz()
