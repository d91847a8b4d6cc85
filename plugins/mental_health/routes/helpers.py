"""Community helpers: the console where supervisors register them and their training, and the
helper's own page to refer a resident. Thin: the work is in ``helpers``. Never a score here."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import NotFound, PermissionDenied, ValidationFailed

from plugins.mental_health import helpers, network
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common
from plugins.mental_health.tables import HELPER_KINDS, REFERRAL_STATES


class HelperConsolePages(Controller):
    """Where supervisors and district administrators keep the register of helpers."""

    path = "/console/helpers"
    opt = PRIVATE

    async def _list(self, request: Request, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        await plugin.roles(request, network.MANAGERS)
        return plugin.template("helpers.html", status_code=status_code, context={
            **await common(request), "helpers": await helpers.helpers(plugin.scope(request)),
            "kinds": HELPER_KINDS, "values": values or {"kind": "grid_worker"}, "errors": errors or {}})

    @get("/", name="mental_health_helpers")
    async def list(self, request: Request) -> Response:
        return await self._list(request)

    @post("/", name="mental_health_helper_register", status_code=303)
    async def register(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        data = await plugin.form_data(request)
        try:
            row = await helpers.register(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._list(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/console/helpers/{row.id}", status_code=303)

    async def _one(self, request: Request, helper_id: int, *, values: dict[str, str] | None = None,
                   errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        await plugin.roles(request, network.MANAGERS)
        found = [row for row in await helpers.helpers(plugin.scope(request)) if row["id"] == helper_id]
        if not found:
            raise NotFound()
        return plugin.template("helpers_detail.html", status_code=status_code, context={
            **await common(request), "helper": found[0], "kinds": HELPER_KINDS, "values": values or {},
            "errors": errors or {}})

    @get("/{helper_id:int}", name="mental_health_helper")
    async def one(self, request: Request, helper_id: FromPath[int]) -> Response:
        return await self._one(request, helper_id)

    @post("/{helper_id:int}/training", name="mental_health_helper_training", status_code=303)
    async def training(self, request: Request, helper_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        data = await plugin.form_data(request)
        try:
            await helpers.add_training(plugin.scope(request), actor.id, helper_id, data)
        except ValidationFailed as error:
            return await self._one(request, helper_id, values=data, errors=plugin.field_errors(error),
                                   status_code=422)
        return Redirect(f"{plugin.base(request)}/console/helpers/{helper_id}", status_code=303)

    @post("/{helper_id:int}/deactivate", name="mental_health_helper_deactivate", status_code=303)
    async def deactivate(self, request: Request, helper_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        await helpers.deactivate(plugin.scope(request), actor.id, helper_id)
        return Redirect(f"{plugin.base(request)}/console/helpers/{helper_id}", status_code=303)


class HelperPages(Controller):
    """A helper's own page: refer a resident who agreed, and see the state of what they referred."""

    path = "/helpers"
    opt = PRIVATE

    async def _helper(self, request: Request):
        actor, _roles = await plugin.roles(request, (helpers.HELPER,))
        if not await helpers.is_active(plugin.scope(request), actor.id):
            raise PermissionDenied()
        return actor

    async def _page(self, request: Request, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        actor = await self._helper(request)
        return plugin.template("helpers_refer.html", status_code=status_code, context={
            **await common(request), "values": values or {}, "errors": errors or {}, "agreed": helpers.AGREED,
            "referred": await helpers.referred(plugin.scope(request), actor.id), "states": REFERRAL_STATES,
            "sent": request.query_params.get("sent") == "1"})

    @get("/refer", name="mental_health_helper_refer")
    async def form(self, request: Request) -> Response:
        return await self._page(request)

    @post("/refer", name="mental_health_helper_refer_send", status_code=303)
    async def send(self, request: Request) -> Response:
        actor = await self._helper(request)
        data = await plugin.form_data(request)
        try:
            await helpers.refer(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/helpers/refer?sent=1", status_code=303)
