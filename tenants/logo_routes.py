"""/t/{slug}/console/logo: the district admin uploads the logo its app's icons are made from,
or removes it (the icons go back to the district's colour and first character)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.audit import services as audit
from core.errors import ValidationFailed
from core.i18n import Message
from core.web.client import client_address
from core.web.forms import form_errors, see_other, uploaded_files
from tenants import logo, pwa


def _page(request: Request, errors: dict | None = None, status_code: int = 200) -> Template:
    tenant = request.state.tenant
    return Template("console/logo.html", status_code=status_code, context={
        "tenant": tenant, "errors": errors or {}, "has_logo": bool(tenant.logo_key),
        "icons": {name: pwa.icon_url(tenant, name) for name in logo.icon_names()},
        "short_name": pwa.short_name(tenant), "max_mb": logo.MAX_BYTES // (1024 * 1024), "min_side": logo.MIN_SIDE})


class ConsoleLogoController(Controller):
    path = "/t/{slug:str}/console/logo"
    opt = {"auth": "session"}

    @get("/", name="console_logo")
    async def show(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return _page(request)

    @post("/", status_code=303, request_max_body_size=logo.FORM_MAX_BYTES, name="console_logo_save")
    async def save(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        try:
            files = await uploaded_files(request, logo.FIELD)
            if not files:
                raise ValidationFailed({logo.FIELD: Message("Choose a picture for the logo.")})
            filename, data = files[0]
            key = await logo.save(request.app.state.settings, tenant, filename, data)
        except ValidationFailed as error:
            return _page(request, form_errors(error), 422)
        await audit.record("district.logo", actor_id=actor.id, tenant_id=tenant.id, target=key,
                           client_address=client_address(request))
        return see_other(f"/t/{tenant.slug}/console/logo")

    @post("/remove", status_code=303, name="console_logo_remove")
    async def remove(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        await logo.remove(request.app.state.settings, tenant)
        await audit.record("district.logo_removed", actor_id=actor.id, tenant_id=tenant.id,
                           client_address=client_address(request))
        return see_other(f"/t/{tenant.slug}/console/logo")
