"""/t/{slug}/register: a resident registers, in two steps (details, then the code sent to them)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from core.accounts import codes, registration
from core.accounts.routes import complete_sign_in
from core.errors import ValidationFailed
from core.forms import FieldError
from core.tenancy import TenantScope
from core.web.client import client_address
from core.web.forms import form_data, rerender
from tenants import organisation


async def _choices(scope: TenantScope) -> dict:
    found = await organisation.units(scope)
    street_names = {street["id"]: street["name"] for street in found["streets"]}
    return {
        "communities": [{**c, "street_name": street_names.get(c["street"], "")} for c in found["communities"]],
        "grids": found["grids"],
    }


class RegistrationController(Controller):
    path = "/t/{slug:str}/register"
    opt = {"auth": "none"}

    @get("/", name="register")
    async def form(self, request: Request) -> Template:
        tenant = request.state.tenant
        return Template("accounts/register.html", context={
            "tenant": tenant, "values": {}, "errors": {}, "step": "details", **await _choices(tenant.scope)})

    @post("/", status_code=200)
    async def send_code(self, request: Request) -> Response:
        """Step 1: check the details and send a code to the phone or email given."""
        tenant = request.state.tenant
        data = await form_data(request)
        choices = await _choices(tenant.scope)
        try:
            details = await registration.clean(tenant.scope, data)
        except ValidationFailed as error:
            return rerender("accounts/register.html", data, error, tenant=tenant, step="details", **choices)
        await codes.issue(request.app.state.settings, request.app.state.throttle, "register",
                          details.identifier.kind, details.identifier.value, client_address(request))
        values = {**data, "identifier": details.identifier.value}
        return Template("accounts/register.html", context={
            "tenant": tenant, "values": values, "errors": {}, "step": "code", **choices})

    @post("/confirm", status_code=303)
    async def confirm(self, request: Request) -> Response:
        """Step 2: the code proves the phone or email; the account is made (or reused)."""
        tenant = request.state.tenant
        data = await form_data(request)
        choices = await _choices(tenant.scope)
        try:
            details = await registration.clean(tenant.scope, data)
        except ValidationFailed as error:
            return rerender("accounts/register.html", data, error, tenant=tenant, step="details", **choices)
        try:
            await codes.check(request.app.state.settings, "register", details.identifier.value, data.get("code", ""))
        except FieldError as error:
            return Template("accounts/register.html", status_code=422, context={
                "tenant": tenant, "values": data, "errors": {"code": str(error.message)}, "step": "code",
                **choices})
        person = await registration.register(tenant.scope, details, client_address(request))
        return await complete_sign_in(request, person, f"/t/{tenant.slug}/")
