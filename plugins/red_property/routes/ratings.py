"""The firms' ratings (红黑榜): the last month's list for everyone in the district, each
rating with how it was reached, the firm's appeal and the district's answer."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed

from plugins.red_property import ratings, repairs
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import MANAGERS, PAGE, common


class RatingPages(Controller):
    path = "/ratings"
    opt = PAGE

    @get("/", name="red_property_ratings")
    async def index(self, request: Request) -> Response:
        plugin.actor(request)
        period, rows = await ratings.latest(plugin.scope(request))
        return plugin.template("ratings.html", context={**await common(request), "period": period, "ratings": rows})

    async def _page(self, request: Request, rating_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, form: str = "", problem: str = "",
                    status_code: int = 200) -> Response:
        plugin.actor(request)
        _actor, roles = await plugin.roles(request)
        found = await ratings.rating(plugin.scope(request), rating_id)
        firm_id = await repairs.firm_of(await plugin.places(request))
        return plugin.template("rating.html", status_code=status_code, context={
            **await common(request), "rating": found, "may_appeal": firm_id == found["firm"],
            "may_answer": bool(roles & MANAGERS), "values": values or {}, "errors": errors or {}, "form": form,
            "problem": problem})

    @get("/{rating_id:int}", name="red_property_rating")
    async def rating(self, request: Request, rating_id: FromPath[int]) -> Response:
        return await self._page(request, rating_id)

    @post("/{rating_id:int}/appeals", name="red_property_appeal", status_code=303)
    async def appeal(self, request: Request, rating_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        firm_id = await repairs.firm_of(await plugin.places(request))
        try:
            await ratings.appeal(plugin.scope(request), firm_id, actor.id, rating_id, data)
        except ValidationFailed as error:
            return await self._page(request, rating_id, values=data, errors=plugin.field_errors(error),
                                    form="appeal", status_code=422)
        except Conflict as error:
            return await self._page(request, rating_id, values=data, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/ratings/{rating_id}", status_code=303)

    @post("/appeals/{appeal_id:int}/answer", name="red_property_answer_appeal", status_code=303)
    async def answer(self, request: Request, appeal_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        scope = plugin.scope(request)
        try:
            rating_id = await ratings.answer(scope, actor.id, appeal_id, data)
        except (ValidationFailed, Conflict) as error:
            rating_id = await ratings.rating_of_appeal(scope, appeal_id)
            if isinstance(error, ValidationFailed):
                return await self._page(request, rating_id, values=data, errors=plugin.field_errors(error),
                                        form=f"answer-{appeal_id}", status_code=422)
            return await self._page(request, rating_id, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/ratings/{rating_id}", status_code=303)
