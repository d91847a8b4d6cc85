"""/t/{slug}/console/organisation: the district admin edits streets, communities, grids and
departments."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.i18n import Message
from core.web.forms import form_data, see_other
from tenants import organisation
from tenants.permissions import can_edit_organisation


async def _editor(request: Request):
    actor, roles = await tenant_roles(request, CONSOLE_ROLES)
    if not can_edit_organisation(roles):
        raise PermissionDenied(Message("Only the district's administrators can change its organisation."))
    return actor


async def _page(request: Request, errors: dict | None = None, values: dict | None = None,
                status_code: int = 200) -> Template:
    tenant = request.state.tenant
    return Template("console/organisation.html", status_code=status_code, context={
        "tenant": tenant, **await organisation.units(tenant.scope), "errors": errors or {}, "values": values or {}})


class OrganisationController(Controller):
    path = "/t/{slug:str}/console/organisation"
    opt = {"auth": "session"}

    @get("/", name="console_organisation")
    async def show(self, request: Request) -> Template:
        await _editor(request)
        return await _page(request)

    async def _act(self, request: Request, form_key: str, action) -> Response:
        data = await form_data(request)
        try:
            await action(data)
        except ValidationFailed as error:
            errors = {f"{form_key}.{field}": str(message) for field, message in error.errors.items()}
            return await _page(request, errors, {f"{form_key}.{k}": v for k, v in data.items()}, 422)
        except Conflict as conflict:
            return await _page(request, {f"{form_key}.name": str(conflict.detail)}, {}, 409)
        return see_other(f"/t/{request.state.tenant.slug}/console/organisation")

    @post("/{kind:str}/add", status_code=303)
    async def add(self, request: Request, kind: FromPath[str]) -> Response:
        actor = await _editor(request)
        scope = request.state.tenant.scope
        return await self._act(request, f"add-{kind}",
                               lambda data: organisation.add(scope, kind, data, actor_id=actor.id))

    @post("/{kind:str}/{unit_id:int}/rename", status_code=303)
    async def rename(self, request: Request, kind: FromPath[str], unit_id: FromPath[int]) -> Response:
        actor = await _editor(request)
        scope = request.state.tenant.scope
        return await self._act(request, f"{kind}-{unit_id}",
                               lambda data: organisation.rename(scope, kind, unit_id, data, actor_id=actor.id))

    @post("/{kind:str}/{unit_id:int}/remove", status_code=303)
    async def remove(self, request: Request, kind: FromPath[str], unit_id: FromPath[int]) -> Response:
        actor = await _editor(request)
        scope = request.state.tenant.scope
        return await self._act(request, f"{kind}-{unit_id}",
                               lambda data: organisation.remove(scope, kind, unit_id, actor_id=actor.id))
