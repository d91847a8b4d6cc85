"""/t/{slug}/console/notifications: which channels beyond the inbox the district pays for."""

from __future__ import annotations

from litestar import Controller, Request, Response, post

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.audit import services as audit
from core.web.client import client_address
from core.web.forms import form_data, see_other
from tenants.tables import Tenant


async def district_channels(tenant_id: int) -> dict[str, bool]:
    row = await Tenant.select(Tenant.notify_by_email, Tenant.notify_by_sms).where(Tenant.id == tenant_id).first()
    return {"email": row["notify_by_email"], "sms": row["notify_by_sms"]}


class DistrictChannelsController(Controller):
    path = "/t/{slug:str}/console/notifications"
    opt = {"auth": "session"}

    @post("/", status_code=303, name="district_channels_save")
    async def save(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        data = await form_data(request)
        email, sms = data.get("notify_by_email") == "1", data.get("notify_by_sms") == "1"
        await Tenant.update({Tenant.notify_by_email: email, Tenant.notify_by_sms: sms}).where(Tenant.id == tenant.id)
        await audit.record("district.notification_channels", actor_id=actor.id, tenant_id=tenant.id,
                           client_address=client_address(request), email=email, sms=sms)
        return see_other(f"/t/{tenant.slug}/console/")
