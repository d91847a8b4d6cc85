"""Invitations: district admins invite staff (/t/{slug}/console/invitations); invitees accept
(/t/{slug}/invitations/{code})."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core import clock
from core.accounts import invitations
from core.accounts.guards import current_actor, tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.accounts.routes import complete_sign_in
from core.accounts.tables import Person
from core.errors import Conflict, ValidationFailed
from core.web.client import client_address
from core.web.forms import echo, form_data, see_other
from tenants import organisation


class ConsoleInvitationController(Controller):
    path = "/t/{slug:str}/console/invitations"
    opt = {"auth": "session"}

    async def _page(self, request: Request, values=None, errors=None, sent=None, status_code=200) -> Template:
        tenant = request.state.tenant
        return Template("console/invitations.html", status_code=status_code, context={
            "tenant": tenant, "invitations": await invitations.listing(tenant.scope),
            "roles": await invitations.invitable_roles(tenant.scope), "values": values or {}, "errors": errors or {},
            "sent": sent, "now": clock.now(), **await organisation.units(tenant.scope)})

    @get("/", name="console_invitations")
    async def show(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await self._page(request)

    @post("/", status_code=200)
    async def create(self, request: Request) -> Template:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        form = await request.form()
        data = {key: value for key, value in form.items() if isinstance(value, str)}
        roles = form.getall("roles") if "roles" in form else []
        try:
            details = await invitations.clean(tenant.scope, data, roles)
        except ValidationFailed as error:
            values = {**echo(data), "roles": roles}
            return await self._page(request, values, {k: str(v) for k, v in error.errors.items()}, status_code=422)
        invitation, _code = await invitations.invite(request.app.state.settings, tenant.scope, tenant.slug, details,
                                                     actor_id=actor.id, client_address=client_address(request))
        return await self._page(request, sent=invitation)

    @post("/{invitation_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, invitation_id: FromPath[int]) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        await invitations.revoke(tenant.scope, invitation_id, actor_id=actor.id)
        return see_other(f"/t/{tenant.slug}/console/invitations")


class InvitationController(Controller):
    path = "/t/{slug:str}/invitations"
    opt = {"auth": "none"}

    @get("/", name="invitation_code")
    async def ask_code(self, request: Request) -> Template:
        return Template("accounts/invitation.html", context={
            "tenant": request.state.tenant, "invitation": None, "values": {}, "errors": {}})

    @post("/", status_code=303)
    async def go_to_code(self, request: Request) -> Response:
        code = "".join(ch for ch in (await form_data(request)).get("code", "").upper() if ch.isalnum())[:32]
        return see_other(f"/t/{request.state.tenant.slug}/invitations/{code or '-'}")

    async def _show(self, request: Request, code: str, values=None, errors=None, status_code=200) -> Template:
        tenant = request.state.tenant
        invitation = await invitations.find(tenant.scope, code)
        actor = current_actor(request)
        owner = None
        if invitation.target_kind == "phone":
            owner = await Person.objects().where(Person.phone == invitation.target).first()
        else:
            owner = await Person.objects().where(Person.email == invitation.target).first()
        return Template("accounts/invitation.html", status_code=status_code, context={
            "tenant": tenant, "invitation": invitation, "code": code, "problem": invitations.problem(invitation),
            "roles": await invitations.invitable_roles(tenant.scope), "actor": actor, "has_account": owner is not None,
            "is_owner": actor is not None and owner is not None and owner.id == actor.id,
            "values": values or {"display_name": invitation.display_name}, "errors": errors or {}})

    @get("/{code:str}", name="invitation")
    async def show(self, request: Request, code: FromPath[str]) -> Template:
        return await self._show(request, code)

    @post("/{code:str}/accept", status_code=303)
    async def accept(self, request: Request, code: FromPath[str]) -> Response:
        tenant = request.state.tenant
        data = await form_data(request)
        actor = current_actor(request)
        try:
            person_id = await invitations.accept(
                tenant.scope, code, person_id=actor.id if actor else None,
                new_account=None if actor else data, client_address=client_address(request))
        except ValidationFailed as error:
            return await self._show(request, code, echo(data), {k: str(v) for k, v in error.errors.items()}, 422)
        except Conflict as conflict:
            return await self._show(request, code, echo(data), {"__all__": str(conflict.detail)}, 409)
        if actor is not None:
            return see_other(f"/t/{tenant.slug}/console/")
        person = await Person.objects().where(Person.id == person_id).first()
        return await complete_sign_in(request, person, "")
