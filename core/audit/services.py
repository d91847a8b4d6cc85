"""Writing and reading the audit log.

Reading is scoped: a district's admins read their tenant's entries; platform admins read
the platform's (entries with no tenant). Entries name people by id; a person erased is
shown by their pseudonym, and the entry stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import clock
from core.accounts.tables import Person
from core.audit.tables import AuditEntry

# Actions, so that readers and writers agree on their names.
LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
CODE_SENT = "code.sent"
PASSWORD_CHANGED = "password.changed"
PASSWORD_RESET = "password.reset"
ROLES_GRANTED = "roles.granted"
TENANT_CREATED = "tenant.created"
TENANT_STATUS = "tenant.{action}"  # tenant.approve, tenant.reject, tenant.suspend, tenant.resume


async def record(action: str, *, actor_id: int | None = None, tenant_id: int | None = None, target: str = "",
                 client_address: str = "", **details: Any) -> None:
    await AuditEntry(
        at=clock.now(), tenant_id=tenant_id, actor_id=actor_id, action=action, target=target[:255],
        client_address=client_address[:64], details=json.dumps(details, ensure_ascii=False, default=str),
    ).save()


@dataclass(frozen=True)
class Entry:
    at: datetime
    action: str
    actor: str
    target: str
    client_address: str
    details: dict[str, Any]


async def _entries(query, limit: int) -> list[Entry]:
    rows = await query.order_by(AuditEntry.at, ascending=False).order_by(AuditEntry.id, ascending=False).limit(limit)
    actor_ids = {row["actor_id"] for row in rows if row["actor_id"]}
    names = {}
    if actor_ids:
        people = await Person.select(Person.id, Person.display_name).where(Person.id.is_in(list(actor_ids)))
        names = {person["id"]: person["display_name"] for person in people}
    return [
        Entry(at=row["at"], action=row["action"], actor=names.get(row["actor_id"], ""), target=row["target"],
              client_address=row["client_address"], details=json.loads(row["details"] or "{}"))
        for row in rows
    ]


async def tenant_entries(tenant_id: int, limit: int = 200) -> list[Entry]:
    """A district's entries, newest first (for its admins)."""
    return await _entries(AuditEntry.select().where(AuditEntry.tenant_id == tenant_id), limit)


async def platform_entries(limit: int = 200) -> list[Entry]:
    """The platform's own entries, newest first (for platform admins)."""
    return await _entries(AuditEntry.select().where(AuditEntry.tenant_id.is_null()), limit)


async def entries_about(person_id: int) -> list[Entry]:
    """What the log holds of one person's own actions (for their data export)."""
    return await _entries(AuditEntry.select().where(AuditEntry.actor_id == person_id), 10_000)
