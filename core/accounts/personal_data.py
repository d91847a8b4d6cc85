"""A person's own data: everything Gongzhi holds about them as JSON, and erasure.

Erasure keeps ledgers and the audit log whole: the person row stays with its personal
fields replaced by a pseudonym, so entries that name them now name the pseudonym; their
memberships end, their data keys are destroyed (so what was sealed for them cannot be read
by anyone), sessions and tokens go, and plugins erase theirs through a hook.
"""

from __future__ import annotations

import secrets
from typing import Any

from core import clock, db
from core.accounts.tables import ApiCredential, Person, PlatformRole, RecoveryCode, Session
from core.audit import services as audit
from core.messaging.gateway import call_all
from core.platform_scope import (
    destroy_person_keys,
    end_person_memberships,
    forget_invitation_targets,
    person_membership_details,
)


async def export(person_id: int) -> dict[str, Any]:
    person = await Person.objects().where(Person.id == person_id).first()
    sessions = await Session.select(Session.created_at, Session.last_seen_at, Session.user_agent,
                                    Session.client_address).where(Session.person == person_id)
    tokens = await ApiCredential.select(ApiCredential.kind, ApiCredential.tenant_id, ApiCredential.name,
                                        ApiCredential.scopes, ApiCredential.prefix, ApiCredential.created_at,
                                        ApiCredential.last_used_at, ApiCredential.revoked_at).where(
        ApiCredential.person_id == person_id, ApiCredential.kind != "client")
    data: dict[str, Any] = {
        "exported_at": clock.now(),
        "person": {
            "id": person.id, "display_name": person.display_name, "phone": person.phone, "email": person.email,
            "language": person.language, "elderly_mode": person.elderly_mode, "created_at": person.created_at,
            "has_password": person.password_hash is not None,
            "second_factor_since": person.totp_enabled_at,
        },
        "platform_roles": sorted(r["role"] for r in await PlatformRole.select(PlatformRole.role).where(
            PlatformRole.person == person_id)),
        "memberships": await person_membership_details(person_id),
        "sessions": sessions,
        "api_tokens": tokens,
        "audit_log": [
            {"at": e.at, "action": e.action, "target": e.target, "client_address": e.client_address}
            for e in await audit.entries_about(person_id)
        ],
    }
    for contribution in await call_all("export_personal_data", person_id=person_id):
        if contribution:
            data.update(contribution)
    return data


async def erase(person_id: int, client_address: str = "") -> str:
    """Erase a person; returns the pseudonym that now stands for them."""
    pseudonym = f"已注销用户-{secrets.token_hex(3)}"
    async with db.transaction(write=True):
        person = await Person.objects().where(Person.id == person_id).first()
        targets = [value for value in (person.phone, person.email) if value]
        await Person.update({
            Person.display_name: pseudonym, Person.phone: None, Person.email: None, Person.password_hash: None,
            Person.totp_secret: None, Person.totp_enabled_at: None, Person.language: "",
        }).where(Person.id == person_id)
        await end_person_memberships(person_id)
        await destroy_person_keys(person_id)
        await forget_invitation_targets(targets, pseudonym)
        await PlatformRole.delete().where(PlatformRole.person == person_id)
        await RecoveryCode.delete().where(RecoveryCode.person == person_id)
        await Session.delete().where(Session.person == person_id)
        await ApiCredential.update({ApiCredential.revoked_at: clock.now()}).where(
            ApiCredential.person_id == person_id, ApiCredential.kind != "client",
            ApiCredential.revoked_at.is_null())
        await call_all("erase_personal_data", person_id=person_id, pseudonym=pseudonym)
        await audit.record("person.erased", actor_id=person_id, client_address=client_address)
    return pseudonym
