"""/onboard: a district applies to join the platform."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.errors import ValidationFailed
from tenants import onboarding, services
from core.web.client import client_address
from core.web.forms import form_data, rerender, see_other


class OnboardingController(Controller):
    path = "/onboard"
    opt = {"auth": "none"}

    @get("/", name="onboard")
    async def form(self) -> Template:
        return Template("platform/onboard.html", context={"values": {}, "errors": {}})

    @post("/", status_code=303)
    async def submit(self, request: Request) -> Response:
        data = await form_data(request)
        try:
            application = onboarding.clean_application(data)
            tenant = await onboarding.submit(application, client_address(request))
        except ValidationFailed as error:
            return rerender("platform/onboard.html", data, error)
        return see_other(f"/onboard/{tenant.slug}")

    @get("/{slug:str}", name="onboard_submitted")
    async def submitted(self, slug: FromPath[str]) -> Template:
        tenant = await services.get_tenant(slug)
        return Template("platform/onboard_submitted.html", context={"district": tenant})
