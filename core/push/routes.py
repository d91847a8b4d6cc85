"""/t/{slug}/inbox/devices: notifications on this phone. A person turns push on in the browser
they are using (never unasked: the browser's prompt comes only from their tap), sees the devices
they turned it on in, and takes any of them off."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.guards import signed_in
from core.errors import ValidationFailed
from core.push import services, vapid
from core.web.forms import form_data, rerender, see_other

TEMPLATE = "notifications/devices.html"


async def _context(request: Request, **extra: object) -> dict[str, object]:
    tenant = request.state.tenant
    return {"tenant": tenant, "devices": await services.devices(tenant.scope, signed_in(request).id),
            "key": vapid.application_server_key(request.app.state.settings), **extra}


class PushDeviceController(Controller):
    path = "/t/{slug:str}/inbox/devices"
    opt = {"auth": "session"}

    @get("/", name="push_devices")
    async def listing(self, request: Request, added: FromQuery[bool] = False,
                      removed: FromQuery[bool] = False) -> Template:
        # Kept by no cache (it names the person's devices), yet swept like every resident page.
        return Template(TEMPLATE, context=await _context(request, added=added, removed=removed, values={},
                                                         errors={}), headers={"Cache-Control": "no-store"})

    @post("/", name="push_subscribe")
    async def subscribe(self, request: Request) -> Template | Redirect:
        actor = signed_in(request)
        tenant = request.state.tenant
        data = await form_data(request)
        try:
            cleaned = services.clean(request.app.state.settings, data)
        except ValidationFailed as error:
            return rerender(TEMPLATE, data, error, **await _context(request, added=False, removed=False))
        await services.subscribe(tenant.scope, actor.id, cleaned, request.headers.get("user-agent", ""))
        return see_other(f"/t/{tenant.slug}/inbox/devices?added=1")

    @post("/{device_id:int}/remove", name="push_device_remove")
    async def remove(self, request: Request, device_id: FromPath[int]) -> Redirect:
        actor = signed_in(request)
        tenant = request.state.tenant
        await services.remove(tenant.scope, actor.id, device_id)
        return see_other(f"/t/{tenant.slug}/inbox/devices?removed=1")
