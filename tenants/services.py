"""Districts: validating, creating and changing the status of tenants.

These are platform-scope operations (a tenant is not yet, or no longer, a scope of its
own), named here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from core import clock, db
from core.audit import services as audit
from core.errors import Conflict, NotFound
from core.forms import FieldError, Form, digits, text
from core.i18n import Message
from core.tenancy import TenantScope
from tenants import divisions
from tenants.tables import STATUS_LABELS, Tenant, TenantStatus

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")


@dataclass(frozen=True)
class TenantDraft:
    slug: str
    name: str
    display_name: str
    division_code: str
    province: str
    city: str


def clean_slug(value: Any) -> str:
    value = text(value, max_length=40)
    if not SLUG_PATTERN.match(value):
        raise FieldError(
            Message(
                "Use 2 to 40 lowercase letters (a-z), digits and hyphens, starting with a letter, "
                "e.g. qindu."
            )
        )
    return value


def clean_division_code(value: Any) -> str:
    code = digits(value, length=6)
    if divisions.province_of(code) is None:
        raise FieldError(Message("This is not an administrative division code of China."))
    if not divisions.is_district_level(code):
        raise FieldError(Message("This is a city's or province's code; enter the district's own code."))
    return code


def clean_tenant(data: Mapping[str, Any], form: Form | None = None) -> TenantDraft | None:
    """Clean a district's details into ``form``; returns the draft when all are valid."""
    own_form = form is None
    form = form or Form(data)
    name = form.field("name", text, max_length=50)
    form.field("slug", clean_slug)
    code = form.field("division_code", clean_division_code)
    city = form.field("city", text, max_length=50, required=False)
    if code and not city:
        city = divisions.city_of(code)
        if city is None:
            form.error("city", Message("This field is required."))
    if own_form:
        form.raise_if_invalid()
    if form.errors:
        return None
    province = divisions.province_of(code)
    return TenantDraft(
        slug=form.cleaned["slug"],
        name=name,
        display_name=f"{city}{name}" if not name.startswith(city) else name,
        division_code=code,
        province=province,
        city=city,
    )


async def slug_taken(slug: str) -> bool:
    return await Tenant.exists().where(Tenant.slug == slug).run()


async def create_tenant(draft: TenantDraft, *, status: TenantStatus = TenantStatus.pending) -> Tenant:
    """Create a district; the caller holds a write transaction or this opens one."""
    async with db.transaction(write=True):
        if await slug_taken(draft.slug):
            raise Conflict(Message("This web address is already taken; choose another."), field="slug")
        now = clock.now()
        tenant = Tenant(
            slug=draft.slug,
            name=draft.name,
            display_name=draft.display_name,
            division_code=draft.division_code,
            province=draft.province,
            city=draft.city,
            status=status.value,
            created_at=now,
            status_changed_at=now,
        )
        await tenant.save()
        # Every district starts from the standard disclosure catalogue and core's feedback categories.
        from core.feedback.categories import ensure_registered
        from core.notices.catalogue import ensure_standard

        await ensure_standard(TenantScope(tenant.id))
        await ensure_registered(TenantScope(tenant.id))
    return tenant


async def slug_of(tenant_id: int) -> str:
    """A district's slug, for links in jobs and event handlers (which have only its id)."""
    row = await Tenant.select(Tenant.slug).where(Tenant.id == tenant_id).first()
    if row is None:
        raise NotFound(Message("There is no district at this address."))
    return row["slug"]


async def province_of(tenant_id: int) -> str:
    """The province a district is in (a province-wide feature works within it)."""
    row = await Tenant.select(Tenant.province).where(Tenant.id == tenant_id).first()
    if row is None:
        raise NotFound(Message("There is no district at this address."))
    return row["province"]


async def names_of(tenant_ids: list[int]) -> dict[int, str]:
    """Districts' names as residents read them (咸阳市秦都区), by id."""
    if not tenant_ids:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.display_name).where(Tenant.id.is_in(list(tenant_ids)))
    return {row["id"]: row["display_name"] for row in rows}


async def get_tenant(slug: str) -> Tenant:
    tenant = await Tenant.objects().where(Tenant.slug == slug).first()
    if tenant is None:
        raise NotFound(Message("There is no district at this address."))
    return tenant


async def list_tenants(status: TenantStatus | None = None) -> list[Tenant]:
    query = Tenant.objects().order_by(Tenant.created_at).order_by(Tenant.id)
    if status is not None:
        query = query.where(Tenant.status == status.value)
    return await query


# The longest reason for rejecting or suspending a district (its applicants or residents see it).
REASON_MAX = 500
# Which status each change may start from, and where it leads.
_TRANSITIONS = {
    "approve": ({TenantStatus.pending}, TenantStatus.active),
    "reject": ({TenantStatus.pending}, TenantStatus.rejected),
    "suspend": ({TenantStatus.active}, TenantStatus.suspended),
    "resume": ({TenantStatus.suspended}, TenantStatus.active),
}


async def change_status(slug: str, action: str, reason: str = "", *, actor_id: int | None = None,
                        client_address: str = "") -> Tenant:
    """Approve, reject (with a reason), suspend (with a reason) or resume a district.

    The district's status is checked before the reason: a change it can no longer take is a
    Conflict, whatever the reason says. A reason too long or with control characters is
    ValidationFailed on ``reason``; a missing one is a Conflict on ``reason``. Nothing is
    deleted: a rejected or suspended district keeps all its data.
    """
    allowed_from, target = _TRANSITIONS[action]
    async with db.transaction(write=True):
        tenant = await get_tenant(slug)
        current = TenantStatus(tenant.status)
        if current not in allowed_from:
            raise Conflict(Message("This district is %(status)s; it cannot be changed that way.",
                                   {"status": Message(STATUS_LABELS[current.value])}))
        if target is TenantStatus.active:
            reason = ""  # approving or resuming clears the reason; none is asked for
        else:
            form = Form({"reason": reason})
            reason = form.field("reason", text, max_length=REASON_MAX, required=False, multiline=True)
            form.raise_if_invalid()
            if not reason:
                raise Conflict(Message("Give a reason; the district's applicants or residents will see it."),
                               field="reason")
        tenant.status = target.value
        tenant.status_reason = reason
        tenant.status_changed_at = clock.now()
        await tenant.save([Tenant.status, Tenant.status_reason, Tenant.status_changed_at])
        await audit.record(audit.TENANT_STATUS.format(action=action), actor_id=actor_id,
                           target=f"tenant:{tenant.slug}", client_address=client_address, reason=tenant.status_reason)
    return tenant
