"""API credentials: person tokens, publisher tokens and client keys; one model, one check."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from core import clock
from core.accounts.tables import ApiCredential
from core.audit import services as audit
from core.errors import NotAuthenticated, NotFound, PermissionDenied
from core.i18n import Message, N_

KINDS = ("person", "publisher", "client")
# Scopes and what they allow; a plugin's scopes will carry its name.
SCOPES = {
    "profile:read": N_("Read your profile and roles"),
    "organisation:read": N_("Read the district's streets, communities, grids and departments"),
    "notices:read": N_("Read the notices you may see, and mark them read"),
    "feedback:read": N_("Read what you raised, and the feedback queue of the part of the district you serve"),
    "feedback:write": N_("Raise feedback, rate or reopen it, and act on items you handle"),
    "open311:write": N_("Open311: post service requests for residents (a client key)"),
    "marketplace:publish": N_("Upload plugin releases to the marketplace (a publisher's platform token)"),
}
_TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    credential: ApiCredential
    token: str  # shown once


async def issue(kind: str, name: str, scopes: list[str], *, tenant_id: int | None, person_id: int | None,
                client_address: str = "") -> Issued:
    assert kind in KINDS
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scopes {unknown}")
    if kind in ("person", "client") and tenant_id is None:
        raise ValueError(f"a {kind} credential belongs to a district")
    token = f"gz_{kind[0]}_{secrets.token_urlsafe(30)}"
    credential = ApiCredential(
        kind=kind, tenant_id=tenant_id, person_id=person_id, name=name, scopes=" ".join(sorted(set(scopes))),
        prefix=token[:12], token_hash=_hash(token), created_at=clock.now(),
    )
    await credential.save()
    await audit.record("token.created", actor_id=person_id, tenant_id=tenant_id, target=f"{kind}:{credential.prefix}",
                       client_address=client_address, name=name, scopes=scopes)
    return Issued(credential, token)


async def revoke(credential_id: int, *, owner_id: int | None = None, tenant_id: int | None = None,
                 actor_id: int | None = None) -> None:
    """Revoke a credential the caller may see: the owner's own, or one of the district's keys."""
    query = ApiCredential.objects().where(ApiCredential.id == credential_id, ApiCredential.revoked_at.is_null())
    if owner_id is not None:
        query = query.where(ApiCredential.person_id == owner_id, ApiCredential.kind != "client")
    if tenant_id is not None:
        query = query.where(ApiCredential.tenant_id == tenant_id, ApiCredential.kind == "client")
    credential = await query.first()
    if credential is None:
        raise NotFound()
    credential.revoked_at = clock.now()
    await credential.save([ApiCredential.revoked_at])
    await audit.record("token.revoked", actor_id=actor_id, tenant_id=credential.tenant_id,
                       target=f"{credential.kind}:{credential.prefix}")


async def owned_by(person_id: int) -> list[ApiCredential]:
    return await ApiCredential.objects().where(
        ApiCredential.person_id == person_id, ApiCredential.kind != "client").order_by(
        ApiCredential.created_at, ascending=False)


async def client_keys(tenant_id: int) -> list[ApiCredential]:
    return await ApiCredential.objects().where(
        ApiCredential.tenant_id == tenant_id, ApiCredential.kind == "client").order_by(
        ApiCredential.created_at, ascending=False)


async def authenticate(authorization: str | None, *, tenant_id: int | None, scope: str) -> ApiCredential:
    """The credential in an ``Authorization: Bearer …`` header, if it may use ``scope`` here.

    A session cookie is never enough for these routes: no header, no access.
    """
    if not authorization or not authorization.lower().startswith("bearer "):
        raise NotAuthenticated(Message("This API needs a token: send it as Authorization: Bearer …"))
    token = authorization.split(" ", 1)[1].strip()
    credential = await ApiCredential.objects().where(ApiCredential.token_hash == _hash(token)).first()
    if credential is None or credential.revoked_at is not None:
        raise NotAuthenticated(Message("This token is not valid (unknown or revoked)."))
    if credential.tenant_id is not None and credential.tenant_id != tenant_id:
        raise PermissionDenied(Message("This token belongs to another district."))
    if scope not in credential.scopes.split():
        raise PermissionDenied(Message("This token lacks the scope %(scope)s.", {"scope": scope}))
    now = clock.now()
    if credential.last_used_at is None or now - credential.last_used_at >= _TOUCH_EVERY:
        await ApiCredential.update({ApiCredential.last_used_at: now}).where(ApiCredential.id == credential.id)
    return credential
