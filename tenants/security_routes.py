"""/t/{slug}/console/security: the district admin decides whether staff must use a second
factor, and which algorithm seals the district's sensitive data (before any is sealed)."""

from __future__ import annotations

from litestar import Controller, Request, Response, post

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.audit import services as audit
from core.errors import NotFound
from core.protection import services as protection
from core.protection.ciphers import ALGORITHMS
from core.web.client import client_address
from core.web.forms import form_data, see_other
from tenants.tables import Tenant


class DistrictSecurityController(Controller):
    path = "/t/{slug:str}/console/security"
    opt = {"auth": "session"}

    @post("/", status_code=303)
    async def save(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        data = await form_data(request)
        required = data.get("require_staff_totp") == "1"
        algorithm = data.get("encryption_algorithm", "")
        if algorithm and algorithm not in ALGORITHMS:
            raise NotFound()
        if algorithm:
            await protection.choose_algorithm(request.app.state.settings, tenant.scope, algorithm)
        await Tenant.update({Tenant.require_staff_totp: required}).where(Tenant.id == tenant.id)
        await audit.record("district.security", actor_id=actor.id, tenant_id=tenant.id,
                           client_address=client_address(request), require_staff_totp=required,
                           encryption_algorithm=algorithm or None)
        return see_other(f"/t/{tenant.slug}/console/")
