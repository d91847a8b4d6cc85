"""/t/{slug}/console/feedback/new: a grid worker enters an item for a resident."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES
from core.errors import Conflict, ValidationFailed
from core.feedback import categories, entry
from core.web.forms import echo, form_data, see_other
from tenants import organisation


class FeedbackEntryController(Controller):
    path = "/t/{slug:str}/console/feedback/new"
    opt = {"auth": "session"}

    async def _form(self, request: Request, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        return Template("console/feedback_enter.html", status_code=status_code, context={
            "tenant": tenant, "values": values, "errors": errors,
            "categories": await categories.enabled(tenant.scope), "units": await organisation.units(tenant.scope)})

    @get("/", name="console_feedback_enter")
    async def new(self, request: Request) -> Template:
        await tenant_roles(request, CONSOLE_ROLES)
        return await self._form(request, values={"idempotency_key": secrets.token_urlsafe(18)}, errors={})

    @post("/", status_code=303)
    async def enter(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, CONSOLE_ROLES)
        tenant = request.state.tenant
        data = await form_data(request)
        try:
            item, _new = await entry.enter_for_resident(request.app.state.settings, tenant.scope, tenant.slug,
                                                        actor.id, data)
        except ValidationFailed as error:
            return await self._form(request, values=echo(data), status_code=422,
                                    errors={k: str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._form(request, values=echo(data), status_code=409,
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{tenant.slug}/console/feedback/{item.id}")
