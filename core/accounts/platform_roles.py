"""Platform roles as platform admins manage them: who holds a role, granting it to the account
with a phone number or email, revoking it. Each change is audited with the admin who made it.

Revoking the publisher role also revokes the person's publisher tokens: a role granted again
later does not bring old tokens back. (The marketplace checks the role on every upload as
well, so a token would be refused anyway.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from core import clock, db
from core.accounts import services
from core.accounts.roles import PUBLISHER
from core.accounts.tables import ApiCredential, Person, PlatformRole
from core.audit import services as audit
from core.audit.tables import AuditEntry
from core.errors import Conflict, ValidationFailed
from core.i18n import Message

GRANTED = "platform_role.granted"
REVOKED = "platform_role.revoked"


@dataclass(frozen=True)
class Holder:
    """A person holding a platform role, as the admin page lists them."""

    person_id: int
    display_name: str
    identifier: str  # their mobile number, else their email
    granted_at: datetime | None  # when an admin granted it (None: granted in code, e.g. the demo)


def _target(person_id: int) -> str:
    return f"person:{person_id}"


async def holders(role: str) -> list[Holder]:
    """Everyone holding ``role``, oldest account first."""
    rows = await PlatformRole.select(PlatformRole.person).where(PlatformRole.role == role)
    person_ids = sorted({row["person"] for row in rows})
    if not person_ids:
        return []
    people = await Person.select(Person.id, Person.display_name, Person.phone, Person.email).where(
        Person.id.is_in(person_ids))
    # When each was granted: the log's latest grant of this role to them.
    granted: dict[str, datetime] = {}
    entries = await AuditEntry.select(AuditEntry.at, AuditEntry.target, AuditEntry.details).where(
        AuditEntry.action == GRANTED, AuditEntry.tenant_id.is_null(),
        AuditEntry.target.is_in([_target(person_id) for person_id in person_ids])).order_by(AuditEntry.at)
    for entry in entries:
        if json.loads(entry["details"] or "{}").get("role") == role:
            granted[entry["target"]] = entry["at"]
    return [Holder(person["id"], person["display_name"], person["phone"] or person["email"] or "",
                   granted.get(_target(person["id"]))) for person in sorted(people, key=lambda p: p["id"])]


async def grant(identifier: services.Identifier, role: str, *, actor_id: int, client_address: str = "") -> Person:
    """Grant ``role`` to the account signing in with ``identifier``.

    An unknown account is a field error (``identifier``); a person who holds the role already
    is a conflict, and nothing is written twice.
    """
    async with db.transaction(write=True):
        person = await services.find_person(identifier)
        if person is None:
            raise ValidationFailed({"identifier": Message("No account signs in with this phone number or email.")})
        if role in await services.platform_roles(person.id):
            raise Conflict(Message("%(name)s already holds this role.", {"name": person.display_name}),
                           field="identifier")
        await services.grant_platform_role(person.id, role)
        await audit.record(GRANTED, actor_id=actor_id, target=_target(person.id), client_address=client_address,
                           role=role)
    return person


async def revoke(person_id: int, role: str, *, actor_id: int, client_address: str = "") -> bool:
    """Take ``role`` away from the person; False (and nothing written) when they did not hold it."""
    async with db.transaction(write=True):
        if not await services.revoke_platform_role(person_id, role):
            return False
        tokens: list[str] = []
        if role == PUBLISHER:
            rows = await ApiCredential.select(ApiCredential.id, ApiCredential.prefix).where(
                ApiCredential.person_id == person_id, ApiCredential.kind == "publisher",
                ApiCredential.revoked_at.is_null())
            if rows:
                await ApiCredential.update({ApiCredential.revoked_at: clock.now()}).where(
                    ApiCredential.id.is_in([row["id"] for row in rows]))
            tokens = [row["prefix"] for row in rows]
        await audit.record(REVOKED, actor_id=actor_id, target=_target(person_id), client_address=client_address,
                           role=role, tokens_revoked=tokens)
    return True
