"""A resident registers in a district: name, phone or email (proved by a code), their
community and, when they know it, their grid. An existing account is reused. No password
is asked: residents sign in by code, and may set a password on their account page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core import db
from core.accounts import services
from core.accounts.roles import RESIDENT
from core.accounts.tables import Person
from core.audit import services as audit
from core.events import names
from core.events import services as events
from core.forms import FieldError, Form
from core.i18n import Message
from core.tenancy import TenantScope
from tenants.tables import Community, Grid


@dataclass(frozen=True)
class Registration:
    display_name: str
    identifier: services.Identifier
    community_id: int
    grid_id: int | None


def _id(value: Any, *, required: bool) -> int | None:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        if required:
            raise FieldError(Message("Choose one."))
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FieldError(Message("Choose one of the list.")) from None


async def clean(scope: TenantScope, data: Mapping[str, Any]) -> Registration:
    form = Form(data)
    name = form.field("display_name", services.clean_display_name)
    identifier = form.field("identifier", services.clean_identifier)
    community_id = form.field("community", _id, required=True)
    grid_id = form.field("grid", _id, required=False)
    if community_id is not None and await scope.get(Community, community_id) is None:
        form.error("community", Message("Choose one of the list."))
    if grid_id is not None:
        grid = await scope.get(Grid, grid_id)
        if grid is None or grid.community != community_id:
            form.error("grid", Message("This grid is not in the community you chose."))
    form.raise_if_invalid()
    return Registration(name, identifier, community_id, grid_id)


async def register(scope: TenantScope, registration: Registration, client_address: str = "") -> Person:
    """Create the account (or reuse the one this phone or email already has) and make the
    person a resident of their community or grid. Registering twice changes nothing."""
    async with db.transaction(scope.tenant_id, write=True):
        person = await services.find_person(registration.identifier)
        new_account = person is None
        if person is None:
            # No password yet: residents sign in with codes, and may set one on their account page.
            person = await services.create_person(registration.display_name, registration.identifier, None)
        already_resident = not new_account and RESIDENT in await services.roles_in(scope, person.id)
        unit_kind, unit_id = (("grid", registration.grid_id) if registration.grid_id
                              else ("community", registration.community_id))
        await services.add_membership(scope, person.id, [RESIDENT], unit_kind, unit_id)
        if not already_resident:
            await events.emit(scope, names.USER_REGISTERED, {
                "person_id": person.id, "unit_kind": unit_kind, "unit_id": unit_id, "new_account": new_account},
                actor_id=person.id)
    await audit.record("resident.registered", actor_id=person.id, tenant_id=scope.tenant_id,
                       target=f"{unit_kind}:{unit_id}", client_address=client_address)
    return person
