"""The directory of the referral network: where to go at each level, for everyone signed in;
kept by supervisors and district admins in the console. Thin: the work is in ``directory``."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import NotFound, ValidationFailed

from plugins.mental_health import directory, network, services
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common
from plugins.mental_health.tables import LEVELS


class DirectoryPages(Controller):
    path = "/directory"
    opt = PRIVATE

    @get("/", name="mental_health_directory")
    async def listing(self, request: Request) -> Response:
        plugin.actor(request)
        return plugin.template("directory.html", context={
            **await common(request), "levels": LEVELS, "dial": services.dial,
            "points": await directory.by_level(plugin.scope(request))})


class DirectoryConsolePages(Controller):
    path = "/console/directory"
    opt = PRIVATE

    async def _page(self, request: Request, *, chosen: dict | None = None, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        return plugin.template("directory_console.html", status_code=status_code, context={
            **await common(request), "levels": LEVELS, "chosen": chosen, "values": values or {},
            "errors": errors or {},
            "points": await directory.by_level(plugin.scope(request), active_only=False)})

    @get("/", name="mental_health_directory_console")
    async def listing(self, request: Request) -> Response:
        await plugin.roles(request, network.MANAGERS)
        return await self._page(request)

    @post("/", name="mental_health_add_service_point", status_code=303)
    async def add(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        data = await plugin.form_data(request)
        try:
            await directory.add(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/console/directory/", status_code=303)

    @get("/{point_id:int}", name="mental_health_service_point")
    async def one(self, request: Request, point_id: FromPath[int]) -> Response:
        await plugin.roles(request, network.MANAGERS)
        chosen = await directory.point(plugin.scope(request), point_id)
        values = {key: str(value or "") for key, value in chosen.items()}
        return await self._page(request, chosen=chosen, values=values)

    @post("/{point_id:int}", name="mental_health_change_service_point", status_code=303)
    async def change(self, request: Request, point_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        scope = plugin.scope(request)
        chosen = await directory.point(scope, point_id)
        data = await plugin.form_data(request)
        try:
            await directory.change(scope, actor.id, point_id, data)
        except ValidationFailed as error:
            return await self._page(request, chosen=chosen, values=data, errors=plugin.field_errors(error),
                                    status_code=422)
        return Redirect(f"{plugin.base(request)}/console/directory/", status_code=303)

    @post("/{point_id:int}/{switch:str}", name="mental_health_switch_service_point", status_code=303)
    async def switch(self, request: Request, point_id: FromPath[int], switch: FromPath[str]) -> Response:
        actor, _roles = await plugin.roles(request, network.MANAGERS)
        if switch not in ("activate", "deactivate"):
            raise NotFound()
        await directory.set_active(plugin.scope(request), actor.id, point_id, switch == "activate")
        return Redirect(f"{plugin.base(request)}/console/directory/", status_code=303)
