"""A district's feedback categories, its items, their timelines and tracking-number counters."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from core.tenancy import TenantOwned


class FeedbackCategory(TenantOwned, tablename="feedback_category"):
    """A district's copy of a registered category (or one of its own), with its deadlines."""

    key = Varchar(length=64, help_text="The registry key it came from, or the district's own")
    name = Varchar(length=50)
    accept_hours = Integer()
    resolve_hours = Integer()
    default_party = Varchar(length=32, help_text="A registered responsible-party type")
    private = Boolean(default=False, help_text="Seen only by the submitter and the assigned party; sealed at rest")
    enabled = Boolean(default=True)
    position = Integer(default=0)


class State(str, Enum):
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    reopened = "reopened"
    closed = "closed"


class FeedbackItem(TenantOwned, tablename="feedback_item"):
    tracking_number = Varchar(length=24, help_text="e.g. QD-2026-000123, unique in the district")
    category = ForeignKey(references=FeedbackCategory, index=True)
    submitter = Integer(index=True, help_text="accounts_person.id of the resident")
    entered_by = Integer(null=True, default=None, help_text="A grid worker who entered it for the resident")
    resident_agreed = Boolean(default=False, help_text="The resident agreed to its being entered for them")
    description = Text(default="", help_text="Empty when the category is private (then sealed)")
    sealed_description = Text(default="", help_text="The description of a private item, encrypted")
    community_id = Integer(null=True, default=None)
    grid_id = Integer(null=True, default=None)
    address = Varchar(length=200, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    public = Boolean(default=False, help_text="May be shown publicly, anonymised")
    state = Varchar(length=16, default=State.submitted.value)
    party_type = Varchar(length=32)
    party_id = Integer(null=True, default=None)
    escalation_level = Integer(default=0)
    accept_due = Timestamptz()
    resolve_due = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    rating = Integer(null=True, default=None, help_text="The resident's 1–5")
    rating_comment = Text(default="")
    reopened = Integer(default=0, help_text="How many times the resident reopened it")
    source = Varchar(length=16, default="app", help_text="How it came: app, grid_worker, open311, …")
    idempotency_key = Varchar(length=64)
    body_hash = Varchar(length=64, help_text="SHA-256 of what was submitted under the key")
    revision = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TimelineEntry(TenantOwned, tablename="feedback_timeline"):
    """One change of an item, as the resident sees it: who, when, what, and a note."""

    item = ForeignKey(references=FeedbackItem, index=True, on_delete=OnDelete.cascade)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    action = Varchar(length=32)
    from_state = Varchar(length=16, default="")
    to_state = Varchar(length=16, default="")
    party_type = Varchar(length=32, default="")
    party_id = Integer(null=True, default=None)
    note = Text(default="")
    sealed = Boolean(default=False, help_text="The note is encrypted (the item's category is private)")


class FeedbackPhoto(TenantOwned, tablename="feedback_photo"):
    """A photo of an item: sent with it, or with a resolution. Resized and stripped of its
    metadata before it is stored; a private item's photo is stored encrypted."""

    item = ForeignKey(references=FeedbackItem, index=True, on_delete=OnDelete.cascade)
    stage = Varchar(length=16, help_text="submission or resolution")
    timeline_entry = Integer(null=True, default=None, help_text="The resolution it shows")
    storage_key = Varchar(length=80)
    content_type = Varchar(length=32)
    width = Integer()
    height = Integer()
    size = Integer()
    sealed = Boolean(default=False)
    position = Integer(default=0)


class CallIn(TenantOwned, tablename="feedback_call_in"):
    """The street office calls a department in on an item (吹哨); the department
    acknowledges within its deadline (报到) and reports what it did."""

    item = ForeignKey(references=FeedbackItem, index=True, on_delete=OnDelete.cascade)
    department_id = Integer(index=True)
    called_by = Integer()
    called_at = Timestamptz()
    acknowledge_due = Timestamptz()
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledged_by = Integer(null=True, default=None)
    reported_at = Timestamptz(null=True, default=None)
    reported_by = Integer(null=True, default=None)
    report = Text(default="", help_text="Sealed when the item is private")
    overdue_noted_at = Timestamptz(null=True, default=None, help_text="When supervision was told it is late")


class TrackingCounter(TenantOwned, tablename="feedback_counter"):
    """The last tracking number handed out in a district in a year."""

    year = Integer()
    last = Integer(default=0)
