"""Staff invitations: a district admin invites a person by phone or email with roles and a
scope; the invitee accepts through the link or by typing its code, with a new or an existing
account. Invitations expire after 7 days, can be revoked, and are used once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, Mapping

from core import clock
from core.accounts import passwords, services
from core.accounts.roles import PLUGIN_ROLES, RESIDENT, TENANT_ROLES
from core.accounts.tables import Invitation
from core.audit import services as audit
from core.config import Settings
from core.errors import Conflict, NotFound
from core.forms import Form
from core.i18n import Message, current_language, gettext
from core.messaging.email import send_email
from core.messaging.gateway import sms_gateway
from core.tenancy import TenantScope
from tenants.tables import ORG_UNIT_TABLES

LIFETIME = timedelta(days=7)
# Unambiguous letters and digits, easy to read out and type: 10 of them are ~50 bits.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
INVITABLE_ROLES = {role: label for role, label in TENANT_ROLES.items() if role != RESIDENT}


async def invitable_roles(scope: TenantScope) -> dict[str, Any]:
    """Core's staff roles, and the roles of the plugins the district has enabled that belong
    to the whole district or to one of its organisation units."""
    from core.plugins import enablement

    plugins = await enablement.enabled_in(scope.tenant_id)
    return {**INVITABLE_ROLES, **{name: label for name, (label, unit, plugin) in sorted(PLUGIN_ROLES.items())
                                  if plugin in plugins and (not unit or unit in ORG_UNIT_TABLES)}}


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def _unit(value: str) -> tuple[str, int | None]:
    """``"grid:12"`` → ``("grid", 12)``; empty → the whole district."""
    if not value:
        return "", None
    kind, _sep, number = value.partition(":")
    if kind not in ORG_UNIT_TABLES or not number.isdigit():
        raise ValueError(value)
    return kind, int(number)


async def clean(scope: TenantScope, data: Mapping[str, Any], roles: list[str]) -> dict[str, Any]:
    form = Form(data)
    name = form.field("display_name", services.clean_display_name)
    identifier = form.field("identifier", services.clean_identifier)
    allowed = await invitable_roles(scope)
    chosen = [role for role in roles if role in allowed]
    if not chosen or len(chosen) != len(roles):
        form.error("roles", Message("Choose at least one."))
    unit_kind, unit_id = "", None
    try:
        unit_kind, unit_id = _unit(data.get("unit", ""))
        if unit_kind and await scope.get(ORG_UNIT_TABLES[unit_kind], unit_id) is None:
            raise ValueError
    except ValueError:
        form.error("unit", Message("Choose one of the list."))
    form.raise_if_invalid()
    return {"display_name": name, "identifier": identifier, "roles": chosen, "unit_kind": unit_kind,
            "unit_id": unit_id}


async def invite(settings: Settings, scope: TenantScope, tenant_slug: str, details: dict[str, Any], *,
                 actor_id: int, client_address: str = "") -> tuple[Invitation, str]:
    code = _new_code()
    now = clock.now()
    identifier: services.Identifier = details["identifier"]
    invitation = await scope.create(
        Invitation, target_kind=identifier.kind, target=identifier.value, display_name=details["display_name"],
        roles=" ".join(details["roles"]), unit_kind=details["unit_kind"], unit_id=details["unit_id"],
        secret_hash=_hash(code), invited_by=actor_id, created_at=now, expires_at=now + LIFETIME,
    )
    link = f"{settings.public_url}/t/{tenant_slug}/invitations/{code}"
    text = gettext("You are invited to Gongzhi as staff. Open %(link)s or enter the code %(code)s at "
                   "/t/%(slug)s/invitations within 7 days.", link=link, code=code, slug=tenant_slug)
    if identifier.kind == "phone":
        await sms_gateway(settings).send_notice(identifier.value, text, current_language())
    else:
        await send_email(settings, identifier.value, gettext("Your invitation to Gongzhi"), text)
    await audit.record("invitation.created", actor_id=actor_id, tenant_id=scope.tenant_id,
                       target=f"invitation:{invitation.id}", client_address=client_address,
                       roles=details["roles"], unit=f"{details['unit_kind']}:{details['unit_id'] or ''}")
    return invitation, code


async def find(scope: TenantScope, code: str) -> Invitation:
    invitation = await scope.objects(Invitation).where(Invitation.secret_hash == _hash(code)).first()
    if invitation is None:
        raise NotFound(Message("There is no invitation with this code here."))
    return invitation


def problem(invitation: Invitation) -> Message | None:
    """Why an invitation cannot be accepted, if it cannot."""
    if invitation.revoked_at is not None:
        return Message("This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        return Message("This invitation has already been accepted.")
    if invitation.expires_at <= clock.now():
        return Message("This invitation has expired; ask for a new one.")
    return None


async def accept(scope: TenantScope, code: str, *, person_id: int | None, new_account: Mapping[str, Any] | None,
                 client_address: str = "") -> int:
    """Accept as the signed-in person (who must own the invited phone or email), or with a
    new account for it. Returns the person's id."""
    async with scope.transaction(write=True):
        invitation = await find(scope, code)
        invitation = await scope.get(Invitation, invitation.id, for_update=True)
        reason = problem(invitation)
        if reason is not None:
            raise Conflict(reason)
        identifier = services.Identifier(invitation.target_kind, invitation.target)
        owner = await services.find_person(identifier)
        if person_id is not None:
            if owner is None or owner.id != person_id:
                raise Conflict(Message("This invitation is for another phone number or email."))
        elif owner is not None:
            raise Conflict(Message("An account already uses this phone number or email: sign in to accept."))
        else:
            form = Form(new_account or {})
            name = form.field("display_name", services.clean_display_name)
            password = form.field("password", services.clean_password)
            if password and passwords.is_weak(password, invitation.target):
                form.error("password", Message(passwords.WEAK_MESSAGE))
            form.raise_if_invalid()
            owner = await services.create_person(name, identifier, password)
        await services.add_membership(scope, owner.id, invitation.roles.split(), invitation.unit_kind,
                                      invitation.unit_id)
        await scope.update(Invitation, {Invitation.accepted_at: clock.now(), Invitation.accepted_by: owner.id}).where(
            Invitation.id == invitation.id)
        await audit.record(audit.ROLES_GRANTED, actor_id=owner.id, tenant_id=scope.tenant_id,
                           target=f"invitation:{invitation.id}", client_address=client_address,
                           roles=invitation.roles.split())
    return owner.id


async def revoke(scope: TenantScope, invitation_id: int, *, actor_id: int) -> None:
    async with scope.transaction(write=True):
        invitation = await scope.get(Invitation, invitation_id, for_update=True)
        if invitation is None:
            raise NotFound()
        if invitation.accepted_at is None and invitation.revoked_at is None:
            await scope.update(Invitation, {Invitation.revoked_at: clock.now()}).where(Invitation.id == invitation_id)
            await audit.record("invitation.revoked", actor_id=actor_id, tenant_id=scope.tenant_id,
                               target=f"invitation:{invitation_id}")


async def listing(scope: TenantScope) -> list[Invitation]:
    return await scope.objects(Invitation).order_by(Invitation.created_at, ascending=False)
