"""The plugin's tables. Each row belongs to one district (``TenantOwned``), so PostgreSQL's
Row Level Security keeps districts apart here exactly as in core's tables; every name
starts with the plugin's name. People and communities are core's: they are referred to
by id, and checked when a row is written.

What the tables cannot say themselves is in the plugin's second migration: an idempotency
key makes one application per person, and a month gives each space, and each
application, at most one allocation.
"""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar

from core.sdk import N_, TenantOwned


class ApplicationState(str, Enum):
    waiting = "waiting"
    allocated = "allocated"
    withdrawn = "withdrawn"


STATE_LABELS = {
    ApplicationState.waiting.value: N_("Waiting"),
    ApplicationState.allocated.value: N_("Allocated"),
    ApplicationState.withdrawn.value: N_("Withdrawn"),
}


class Space(TenantOwned, tablename="parking_space"):
    """A parking space of one community, labelled as it is painted on the ground."""

    community_id = Integer(index=True)
    label = Varchar(length=20, help_text="As painted on the ground, e.g. A-012")
    active = Boolean(default=True, help_text="Retired spaces are kept but not allocated")
    created_at = Timestamptz()


class Application(TenantOwned, tablename="parking_application"):
    """A resident's application for a space in a community, for one vehicle."""

    person_id = Integer(index=True)
    community_id = Integer(index=True)
    plate = Varchar(length=32, help_text="Mainland plate, e.g. 陕D12345; the pseudonym once erased")
    state = Varchar(length=16, default=ApplicationState.waiting.value, choices=ApplicationState)
    idempotency_key = Varchar(length=64, help_text="The form's key: sent twice, one application")
    created_at = Timestamptz()
    changed_at = Timestamptz()


class Allocation(TenantOwned, tablename="parking_allocation"):
    """A space given to an application in a month's allocation; the application holds it
    until it is withdrawn."""

    month = Varchar(length=7, help_text="The allocation's month, e.g. 2026-12")
    application = ForeignKey(references=Application, index=True)
    space = ForeignKey(references=Space, index=True)
    created_at = Timestamptz()
