"""The event outbox: each event, and its delivery to each handler."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar

from core.tenancy import TenantOwned


class DeliveryStatus(str, Enum):
    pending = "pending"
    done = "done"
    failed = "failed"


class Event(TenantOwned, tablename="core_event"):
    """Something that happened in a district, written with the change itself."""

    name = Varchar(length=100, index=True)
    payload = Text(default="{}", help_text="JSON object")
    actor_id = Integer(null=True, default=None, help_text="The person who caused it, if any")
    created_at = Timestamptz()


class EventDelivery(TenantOwned, tablename="core_event_delivery"):
    """One event to one handler. Pending until the handler has run to the end."""

    event = ForeignKey(references=Event, index=True)
    handler = Varchar(length=150)
    status = Varchar(length=10, default=DeliveryStatus.pending.value, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True, help_text="When the sweep may queue it again")
    last_error = Text(default="")
    done_at = Timestamptz(null=True, default=None)
