"""Notifications, inbox entries, channel messages and each person's channel preferences."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.accounts.tables import Person
from core.tenancy import TenantOwned


class Notification(TenantOwned, tablename="core_notification"):
    """One message to an audience of a district, fanned out to inboxes in batches."""

    kind = Varchar(length=64, help_text="What it is about, e.g. welcome, roles_changed, notice_published")
    title = Text(help_text="JSON {msgid, params}: translated into each reader's language")
    body = Text(default="", help_text='JSON {"msgid", "params"}, or empty')
    link = Varchar(length=500, default="", help_text="A path in this site: the thing it is about")
    urgent = Boolean(default=False, help_text="Urgent messages ignore quiet hours")
    audience = Text(help_text='JSON: {"persons": [...]} or {"members": {"roles": [...], "unit_kind", "unit_id"}}')
    source_event_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    fan_out_cursor = Integer(default=0, help_text="The highest person id already fanned out to")
    progress_at = Timestamptz(index=True, help_text="When the last batch committed")
    fanned_out_at = Timestamptz(null=True, default=None, index=True)
    recipients = Integer(default=0)


class InboxEntry(TenantOwned, tablename="core_inbox_entry"):
    """A notification in one person's inbox (one per person and notification: a unique index)."""

    notification = ForeignKey(references=Notification, index=True, on_delete=OnDelete.cascade)
    person = Integer(help_text="accounts_person.id")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


class ChannelStatus(str, Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class ChannelMessage(TenantOwned, tablename="core_channel_message"):
    """An inbox entry to send through one other channel (one per entry, channel and device)."""

    inbox_entry = ForeignKey(references=InboxEntry, index=True, on_delete=OnDelete.cascade)
    person = Integer()
    channel = Varchar(length=16, help_text="email, sms, push")
    device = Integer(default=0, help_text="For push: the subscription (core_push_subscription.id); else 0")
    status = Varchar(length=10, default=ChannelStatus.pending.value, index=True)
    not_before = Timestamptz(index=True, help_text="Quiet hours and retries move it later")
    attempts = Integer(default=0)
    last_error = Text(default="")
    provider_message_id = Varchar(length=200, default="")
    sent_at = Timestamptz(null=True, default=None)


class NotificationPreference(Table, tablename="core_notification_preference"):
    """Which channels a person wants beyond the inbox, and their quiet hours (every district)."""

    person = ForeignKey(references=Person, unique=True, on_delete=OnDelete.cascade)
    email = Varchar(length=8, default="all", help_text="all, urgent or off")
    sms = Varchar(length=8, default="urgent", help_text="all, urgent or off")
    push = Varchar(length=8, default="all", help_text="all, urgent or off: on the devices they turned it on in")
    quiet_start = Integer(default=22, help_text="Hour (China Standard Time) quiet hours begin")
    quiet_end = Integer(default=7, help_text="Hour they end; equal to quiet_start means none")
