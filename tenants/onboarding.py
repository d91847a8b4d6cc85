"""A district applies to join: its details and its first admin, written together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core import db
from core.accounts import passwords, services as accounts
from core.accounts.roles import DISTRICT_ADMIN
from core.audit import services as audit
from core.errors import Conflict, ValidationFailed
from core.forms import Form
from core.i18n import Message
from core.tenancy import TenantScope
from tenants import services
from tenants.services import TenantDraft
from tenants.tables import Tenant, TenantStatus


@dataclass(frozen=True)
class Application:
    district: TenantDraft
    admin_name: str
    identifier: accounts.Identifier
    password: str


def clean_application(data: Mapping[str, Any]) -> Application:
    """Every field checked at once; raises :class:`ValidationFailed` naming each bad one."""
    form = Form(data)
    draft = services.clean_tenant(data, form)
    admin_name = form.field("admin_name", accounts.clean_display_name)
    identifier = form.field("identifier", accounts.clean_identifier)
    password = form.field("password", accounts.clean_password)
    if password and identifier and passwords.is_weak(password, identifier.value):
        form.error("password", Message(passwords.WEAK_MESSAGE))
    form.raise_if_invalid()
    assert draft is not None
    return Application(district=draft, admin_name=admin_name, identifier=identifier, password=password)


async def submit(application: Application, client_address: str = "") -> Tenant:
    """Create the pending district and its admin's membership (and the admin's account if new).

    Sending the same application again (same applicant, same address) returns the
    district already created: a retried submission is not a second application.
    """
    person = await accounts.find_person(application.identifier)
    if person is not None and not passwords.verify_password(person.password_hash, application.password):
        raise ValidationFailed({"password": Message(
            "This phone number or email already has an account: enter that account's password.")})
    async with db.transaction(write=True):
        existing = await Tenant.objects().where(Tenant.slug == application.district.slug).first()
        if existing is not None:
            if person is not None and await _is_same_application(existing, person.id, application):
                return existing
            raise ValidationFailed({"slug": Message("This web address is already taken; choose another.")})
        if person is None:
            person = await accounts.create_person(application.admin_name, application.identifier,
                                                  application.password)
        try:
            tenant = await services.create_tenant(application.district, status=TenantStatus.pending)
        except Conflict as conflict:
            raise ValidationFailed({conflict.extra.get("field", "slug"): conflict.detail}) from None
        await accounts.add_membership(TenantScope(tenant.id), person.id, [DISTRICT_ADMIN])
        await audit.record(audit.TENANT_CREATED, actor_id=person.id, target=f"tenant:{tenant.slug}",
                           client_address=client_address)
    return tenant


async def _is_same_application(existing: Tenant, person_id: int, application: Application) -> bool:
    if existing.status != TenantStatus.pending.value:
        return False
    if existing.division_code != application.district.division_code:
        return False
    return DISTRICT_ADMIN in await accounts.roles_in(TenantScope(existing.id), person_id)
