"""Reading the audit log: a district's admins read its entries; platform admins the platform's."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from core.accounts.guards import platform_role, tenant_roles
from core.accounts.roles import DISTRICT_ADMIN, PLATFORM_ADMIN
from core.audit import services


class DistrictAuditController(Controller):
    path = "/t/{slug:str}/console/audit"
    opt = {"auth": "session"}

    @get("/", name="console_audit")
    async def show(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        return Template("audit/entries.html", context={
            "tenant": tenant, "entries": await services.tenant_entries(tenant.id)})


class PlatformAuditController(Controller):
    path = "/admin/audit"
    opt = {"auth": "session"}

    @get("/", name="platform_audit")
    async def show(self, request: Request) -> Template:
        platform_role(request, PLATFORM_ADMIN)
        return Template("audit/entries.html", context={"entries": await services.platform_entries()})
