"""The firm's staff: their firm's repairs and complaints, emergencies first, and the moves
of the feedback loop on each (take up, start, resolve saying what was done)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed

from plugins.red_property import firms, repairs
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import PAGE, common


async def _firm(request: Request) -> int:
    firm_id = await repairs.firm_of(await plugin.places(request))
    if firm_id is None:
        raise PermissionDeniedException()
    return firm_id


class FirmPages(Controller):
    path = "/firm"
    opt = PAGE

    @get("/", name="red_property_firm_queue")
    async def queue(self, request: Request) -> Response:
        firm_id = await _firm(request)
        scope = plugin.scope(request)
        on_duty = await firms.on_duty(scope, firm_id)
        names = await plugin.people(scope, on_duty)
        return plugin.template("firm_queue.html", context={
            **await common(request), "items": await repairs.queue(scope, firm_id), "kinds": repairs.QUEUED,
            "on_duty": plugin.actor(request).id in on_duty,
            "duty_names": [names[p]["display_name"] for p in on_duty if p in names]})

    @post("/duty", name="red_property_firm_duty", status_code=303)
    async def duty(self, request: Request) -> Response:
        firm_id = await _firm(request)
        on = (await plugin.form_data(request)).get("on") == "1"
        await firms.set_on_duty(plugin.scope(request), firm_id, plugin.actor(request).id, on)
        return Redirect(f"{plugin.base(request)}/firm/", status_code=303)

    async def _item(self, request: Request, item_id: int, *, errors: dict[str, str] | None = None,
                    problem: str = "", status_code: int = 200) -> Response:
        firm_id = await _firm(request)
        actor = plugin.actor(request)
        return plugin.template("firm_item.html", status_code=status_code, context={
            **await common(request), "item": await repairs.item(plugin.scope(request), firm_id, actor.id, item_id),
            "errors": errors or {}, "problem": problem})

    @get("/items/{item_id:int}", name="red_property_firm_item")
    async def item(self, request: Request, item_id: FromPath[int]) -> Response:
        return await self._item(request, item_id)

    @post("/items/{item_id:int}/{action:str}", name="red_property_firm_act", status_code=303)
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> Response:
        firm_id = await _firm(request)
        actor = plugin.actor(request)
        try:
            await repairs.act(plugin.scope(request), firm_id, actor.id, item_id, action,
                              await plugin.form_data(request))
        except ValidationFailed as error:
            return await self._item(request, item_id, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._item(request, item_id, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/firm/items/{item_id}", status_code=303)
