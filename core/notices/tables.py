"""The disclosure catalogue, notices with their versions, transitions, attachments and reads."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Array, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from core.tenancy import TenantOwned


class Frequency(str, Enum):
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"
    on_occurrence = "on_occurrence"


class DisclosureCategory(TenantOwned, tablename="notices_category"):
    """One line of the disclosure catalogue: what must be made public, how, and how often."""

    name = Varchar(length=50, help_text="e.g. 财务公开")
    scope = Text(default="", help_text="What it covers")
    standard = Text(default="", help_text="How it must be disclosed")
    frequency = Varchar(length=16, default=Frequency.on_occurrence.value)
    responsible_role = Varchar(length=64, default="staff", help_text="The role that must publish it")
    position = Integer(default=0)


class NoticeStatus(str, Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    scheduled = "scheduled"
    published = "published"
    withdrawn = "withdrawn"
    expired = "expired"
    corrected = "corrected"  # replaced by a newer published version


class Notice(TenantOwned, tablename="notices_notice"):
    """One version of a notice. A correction of a published notice is a new version with the
    same ``root``; the old one becomes ``corrected`` when the new one is published."""

    root = Integer(null=True, default=None, index=True, help_text="The first version's id (itself for it)")
    version = Integer(default=1)
    category = ForeignKey(references=DisclosureCategory, null=True, default=None, index=True)
    title = Varchar(length=120)
    body = Text(default="", help_text="Markdown; sanitised when rendered")
    audience_kind = Varchar(length=16, default="district", help_text="district, street, community, grid or role")
    audience_id = Integer(null=True, default=None)
    audience_role = Varchar(length=64, default="")
    pinned = Boolean(default=False)
    urgent = Boolean(default=False)
    publish_at = Timestamptz(null=True, default=None, help_text="Empty: as soon as it is approved")
    expire_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default=NoticeStatus.draft.value, index=True)
    revision = Integer(default=1, help_text="Bumped by every change: a stale form is refused")
    author = Integer(help_text="accounts_person.id of the author")
    reviewer = Integer(null=True, default=None)
    published_at = Timestamptz(null=True, default=None, index=True)
    withdrawn_reason = Text(default="")
    search_terms = Array(base_column=Varchar(length=8), default=list,
                         help_text="Two-character pieces of the title and body (core.notices.search)")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class NoticeTransition(TenantOwned, tablename="notices_transition"):
    """Who moved a notice from one status to another, when, and what they said."""

    notice = ForeignKey(references=Notice, index=True, on_delete=OnDelete.cascade)
    action = Varchar(length=16)
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    actor = Integer(null=True, default=None)
    comment = Text(default="")
    at = Timestamptz()


class NoticeAttachment(TenantOwned, tablename="notices_attachment"):
    notice = ForeignKey(references=Notice, index=True, on_delete=OnDelete.cascade)
    storage_key = Varchar(length=200)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer()
    position = Integer(default=0)


class NoticeRead(TenantOwned, tablename="notices_read"):
    """A person opened a notice (one row per person and notice root: a unique index)."""

    notice_root = Integer(index=True)
    person = Integer()
    read_at = Timestamptz()


class NoticeQuestion(TenantOwned, tablename="notices_question"):
    """A resident's question about a notice. Kept and shown to staff; the feedback loop
    takes them over when it exists. ``submission`` (unique per person) makes a resent
    form harmless."""

    notice_root = Integer(index=True)
    person = Integer()
    text = Text()
    submission = Varchar(length=40)
    created_at = Timestamptz()
