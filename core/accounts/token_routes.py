"""Pages for API credentials: a person's own tokens (/account/tokens) and a district's
client keys (/t/{slug}/console/keys, for district admins)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts import credentials
from core.accounts.guards import signed_in, tenant_roles
from core.accounts.roles import DISTRICT_ADMIN, PUBLISHER
from core.forms import Form, text
from core.i18n import Message
from core.platform_scope import person_memberships
from core.web.client import client_address
from core.web.forms import see_other
from tenants.tables import Tenant


async def _districts(person_id: int) -> list[dict]:
    tenant_ids = list(await person_memberships(person_id))
    if not tenant_ids:
        return []
    return await Tenant.select(Tenant.id, Tenant.slug, Tenant.display_name).where(Tenant.id.is_in(tenant_ids))


def _clean_scopes(data_scopes: list[str], form: Form) -> list[str]:
    scopes = [scope for scope in data_scopes if scope in credentials.SCOPES]
    if not scopes:
        form.error("scopes", Message("Choose at least one."))
    return scopes


class TokenController(Controller):
    path = "/account/tokens"
    opt = {"auth": "session"}

    async def _page(self, request: Request, values=None, errors=None, issued=None, status_code=200) -> Template:
        actor = signed_in(request)
        return Template("accounts/tokens.html", status_code=status_code, context={
            "tokens": await credentials.owned_by(actor.id), "districts": await _districts(actor.id),
            "scopes": credentials.SCOPES, "publisher": actor.has_platform_role(PUBLISHER),
            "values": values or {}, "errors": errors or {}, "issued": issued})

    @get("/", name="account_tokens")
    async def list_tokens(self, request: Request) -> Template:
        return await self._page(request)

    @post("/", status_code=200)
    async def create(self, request: Request) -> Template:
        actor = signed_in(request)
        form_values = await request.form()
        data = {key: value for key, value in form_values.items() if isinstance(value, str)}
        form = Form(data)
        name = form.field("name", text, max_length=80)
        scopes = _clean_scopes(form_values.getall("scopes") if "scopes" in form_values else [], form)
        district = data.get("district", "")
        districts = {str(d["id"]): d for d in await _districts(actor.id)}
        if district == "platform":
            if not actor.has_platform_role(PUBLISHER):
                form.error("district", Message("Choose one of the list."))
        elif district not in districts:
            form.error("district", Message("Choose one of the list."))
        if form.errors:
            values = {**data, "scopes": scopes, "district": data.get("district", "")}
            return await self._page(request, values, {k: str(v) for k, v in form.errors.items()}, status_code=422)
        if district == "platform":
            issued = await credentials.issue("publisher", name, scopes, tenant_id=None, person_id=actor.id,
                                             client_address=client_address(request))
        else:
            issued = await credentials.issue("person", name, scopes, tenant_id=int(district), person_id=actor.id,
                                             client_address=client_address(request))
        return await self._page(request, issued=issued)

    @post("/{credential_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, credential_id: FromPath[int]) -> Response:
        actor = signed_in(request)
        await credentials.revoke(credential_id, owner_id=actor.id, actor_id=actor.id)
        return see_other("/account/tokens")


class ClientKeyController(Controller):
    path = "/t/{slug:str}/console/keys"
    opt = {"auth": "session"}

    async def _page(self, request: Request, values=None, errors=None, issued=None, status_code=200) -> Template:
        tenant = request.state.tenant
        return Template("accounts/client_keys.html", status_code=status_code, context={
            "tenant": tenant, "keys": await credentials.client_keys(tenant.id), "scopes": credentials.SCOPES,
            "values": values or {}, "errors": errors or {}, "issued": issued})

    @get("/", name="console_keys")
    async def list_keys(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await self._page(request)

    @post("/", status_code=200)
    async def create(self, request: Request) -> Template:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        form_values = await request.form()
        data = {key: value for key, value in form_values.items() if isinstance(value, str)}
        form = Form(data)
        name = form.field("name", text, max_length=80)
        scopes = _clean_scopes(form_values.getall("scopes") if "scopes" in form_values else [], form)
        if form.errors:
            values = {**data, "scopes": scopes, "district": data.get("district", "")}
            return await self._page(request, values, {k: str(v) for k, v in form.errors.items()}, status_code=422)
        issued = await credentials.issue("client", name, scopes, tenant_id=request.state.tenant.id,
                                         person_id=actor.id, client_address=client_address(request))
        return await self._page(request, issued=issued)

    @post("/{credential_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, credential_id: FromPath[int]) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        await credentials.revoke(credential_id, tenant_id=tenant.id, actor_id=actor.id)
        return see_other(f"/t/{tenant.slug}/console/keys")
