"""The district's console: its rewards catalogue, whether it is in the province's exchange,
and its monthly settlement statement with each other district."""

from __future__ import annotations

import re

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from core.sdk import CHINA, ValidationFailed, now

from plugins.volunteer_exchange import points, rewards
from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.routes.common import ADMINS, PAGE, common

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ConsolePages(Controller):
    path = "/console"
    opt = PAGE

    async def _index(self, request: Request, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        await plugin.roles(request, ADMINS)
        scope = plugin.scope(request)
        province = await plugin.province_of(scope)
        period = request.query_params.get("period", "")
        period = period if PERIOD.match(period) else now().astimezone(CHINA).strftime("%Y-%m")
        return plugin.template("console.html", status_code=status_code, context={
            **await common(request), "rewards": await rewards.catalogue(scope),
            "in_exchange": scope.tenant_id in await points.exchange_of(province), "province": province,
            "period": period, "statement": [{**row, "slug": await plugin.slug_of(plugin.scope(row["district_id"]))}
                                            for row in await rewards.settlement(scope, period)],
            "values": values or {}, "errors": errors or {}})

    @get("/", name="volunteer_exchange_console")
    async def index(self, request: Request) -> Response:
        return await self._index(request)

    @post("/rewards", name="volunteer_exchange_add_reward", status_code=303)
    async def add_reward(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, ADMINS)
        data = await plugin.form_data(request)
        try:
            await rewards.add(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._index(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/console/#rewards", status_code=303)

    @post("/exchange", name="volunteer_exchange_exchange", status_code=303)
    async def exchange(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, ADMINS)
        scope = plugin.scope(request)
        if (await plugin.form_data(request)).get("join") == "1":
            await rewards.join_exchange(scope, actor.id)
        else:
            await rewards.leave_exchange(scope, actor.id)
        return Redirect(f"{plugin.base(request)}/console/#exchange", status_code=303)
