"""Resolving the district of a request from its path, once per request.

``/t/{slug}/…`` and ``/api/v1/t/{slug}/…`` carry the district; the middleware puts a
:class:`ResolvedTenant` on ``request.state.tenant`` and everything below reads it from
there. An unknown slug is a 404; a district that is pending, rejected or suspended
answers 423 with a page that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from core.errors import GongzhiError, NotFound
from core.i18n import Message
from core.tenancy import TenantScope
from tenants.tables import Tenant, TenantStatus

_TENANT_PATH = re.compile(r"^(?:/api/v1)?/t/([^/]+)(?:/|$)")


@dataclass(frozen=True)
class ResolvedTenant:
    id: int
    slug: str
    name: str
    display_name: str
    division_code: str
    province: str
    city: str
    status: str
    status_reason: str
    theme_colour: str
    require_staff_totp: bool = False
    plugins_revision: int = 0
    # Storage key of the district's logo ("" when it has none): the app's icons are made from it.
    logo_key: str = ""
    # The plugins the district has enabled (read at the revision above).
    plugins: frozenset[str] = frozenset()

    @property
    def scope(self) -> TenantScope:
        return TenantScope(self.id)

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.active.value


class TenantUnavailable(GongzhiError):
    """The district exists but does not serve: pending, rejected or suspended."""

    status_code = 423
    title = "This district is not available"

    def __init__(self, tenant: ResolvedTenant) -> None:
        messages = {
            "pending": Message("%(name)s has applied to join and is waiting for approval."),
            "rejected": Message("The application of %(name)s was not approved."),
            "suspended": Message("%(name)s is suspended for now. Nothing has been deleted."),
        }
        base = messages[tenant.status]
        super().__init__(Message(base.msgid, {"name": tenant.display_name}))
        self.tenant = tenant


def slug_from_path(path: str) -> str | None:
    match = _TENANT_PATH.match(path)
    return match.group(1) if match else None


async def resolve(slug: str) -> ResolvedTenant:
    """The district at ``slug`` (platform scope: resolving a tenant). Raises if it cannot serve."""
    row = (
        await Tenant.select(
            Tenant.id, Tenant.slug, Tenant.name, Tenant.display_name, Tenant.division_code,
            Tenant.province, Tenant.city, Tenant.status, Tenant.status_reason, Tenant.theme_colour,
            Tenant.require_staff_totp, Tenant.plugins_revision, Tenant.logo_key,
        )
        .where(Tenant.slug == slug)
        .first()
    )
    if row is None:
        raise NotFound(Message("There is no district at this address."))
    tenant = ResolvedTenant(**row)
    if not tenant.is_active:
        raise TenantUnavailable(tenant)
    from core.plugins import enablement

    enablement.remember_revision(tenant.id, tenant.plugins_revision)
    return replace(tenant, plugins=await enablement.enabled_in(tenant.id, tenant.plugins_revision))


class TenantMiddleware(ASGIMiddleware):
    """Puts the request's district on ``scope["state"]["tenant"]``."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        slug = slug_from_path(scope["path"])
        if slug is not None:
            state = scope.setdefault("state", {})
            try:
                state["tenant"] = await resolve(slug)
            except TenantUnavailable as unavailable:
                # The 423 page is the district's own: its name and colours.
                state["tenant"] = unavailable.tenant
                raise
        await next_app(scope, receive, send)


def current_tenant(request: Request) -> ResolvedTenant:
    """Dependency: the request's district (set by :class:`TenantMiddleware`)."""
    tenant = getattr(request.state, "tenant", None)
    if tenant is None or not tenant.is_active:
        raise HTTPException(status_code=404)
    return tenant
