"""/t/{slug}/console/bounds: the district admin sets the box that coordinates sent with
feedback must fall in (or clears it), on the console home."""

from __future__ import annotations

from litestar import Controller, Request, Response, post

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.audit import services as audit
from core.errors import ValidationFailed
from core.web.client import client_address
from core.web.forms import echo, form_data, form_errors, see_other
from tenants import bounds
from tenants.console_routes import home_page


class DistrictBoundsController(Controller):
    path = "/t/{slug:str}/console/bounds"
    opt = {"auth": "session"}

    @post("/", status_code=303, name="district_bounds_save")
    async def save(self, request: Request) -> Response:
        actor, roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        data = await form_data(request)
        try:
            area = bounds.clean(data)
        except ValidationFailed as error:
            return await home_page(request, actor, roles, values=echo(data), errors=form_errors(error),
                                   status_code=422)
        await bounds.save(tenant.id, area)
        await audit.record("district.bounds", actor_id=actor.id, tenant_id=tenant.id,
                           client_address=client_address(request),
                           bounds=[getattr(area, side) for side in bounds.SIDES] if area else None)
        return see_other(f"/t/{tenant.slug}/console/")
