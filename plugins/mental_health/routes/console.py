"""The counsellors' console: the district's referrals, their steps, and who is on duty.
Thin: the work is in ``network``. Never a score or an answer here."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed, now

from plugins.mental_health import network, services
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common
from plugins.mental_health.tables import LEVELS, REFERRAL_SOURCES, REFERRAL_STATES


class ConsolePages(Controller):
    """Where counsellors and supervisors see the district's referrals and move them on."""

    path = "/console"
    opt = PRIVATE

    @get("/referrals/", name="mental_health_referrals")
    async def referrals(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, services.CONSOLE)
        scope = plugin.scope(request)
        state = request.query_params.get("state", "")
        rows = await network.referrals(scope)
        if state in REFERRAL_STATES:
            rows = [row for row in rows if row["state"] == state]
        moment = now()
        return plugin.template("referrals.html", context={
            **await common(request), "referrals": [{**row, "overdue": _overdue(row, moment)} for row in rows],
            "levels": LEVELS, "states": REFERRAL_STATES, "chosen": None, "state": state,
            "on_duty": await network.is_on_duty(scope, actor.id)})

    async def _page(self, request: Request, referral_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, form: str = "", problem: str = "",
                    status_code: int = 200) -> Response:
        actor, _roles = await plugin.roles(request, services.CONSOLE)
        scope = plugin.scope(request)
        chosen = await network.referral(scope, referral_id)
        return plugin.template("referral.html", status_code=status_code, context={
            **await common(request), "referral": {**chosen, "overdue": _overdue(chosen, now())},
            "summary_text": await network.summary_of(scope, actor.id, referral_id),
            "adjacent": network.adjacent_levels(chosen["level"]), "levels": LEVELS, "states": REFERRAL_STATES,
            "sources": REFERRAL_SOURCES, "values": values or {}, "errors": errors or {}, "form": form,
            "problem": problem})

    @get("/referrals/{referral_id:int}", name="mental_health_referral")
    async def referral(self, request: Request, referral_id: FromPath[int]) -> Response:
        return await self._page(request, referral_id)

    @post("/referrals/{referral_id:int}/{action:str}", name="mental_health_referral_step", status_code=303)
    async def step(self, request: Request, referral_id: FromPath[int], action: FromPath[str]) -> Response:
        actor, _roles = await plugin.roles(request, services.CONSOLE)
        scope = plugin.scope(request)
        data = await plugin.form_data(request)
        try:
            if action == "move":
                moved = await network.move(scope, referral_id, actor.id, data)
                return Redirect(f"{plugin.base(request)}/console/referrals/{moved.id}", status_code=303)
            await network.step(scope, referral_id, actor.id, action, data)
        except ValidationFailed as error:
            return await self._page(request, referral_id, values=data, errors=plugin.field_errors(error),
                                    form=action, status_code=422)
        except Conflict as error:
            return await self._page(request, referral_id, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/referrals/{referral_id}", status_code=303)

    @post("/duty", name="mental_health_duty", status_code=303)
    async def duty(self, request: Request) -> Response:
        actor, roles = await plugin.roles(request, services.CONSOLE)
        data = await plugin.form_data(request)
        if services.COUNSELLOR in roles:
            await network.set_duty(plugin.scope(request), actor.id, data.get("on") == "1")
        return Redirect(f"{plugin.base(request)}/console/referrals/", status_code=303)


def _overdue(row: dict[str, Any], moment) -> bool:
    return row["state"] != "closed" and row.get("due_at") is not None and row["due_at"] < moment
