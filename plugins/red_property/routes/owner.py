"""An owner's pages: their home and its bills, repairs, and their compound's votes with their ballot."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, PermissionDenied, ValidationFailed, now

from plugins.red_property import ballots, estates, fees, meetings, repairs
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import PAGE, common


class OwnerPages(Controller):
    path = "/"
    opt = PAGE

    @get("/", name="red_property_home")
    async def home(self, request: Request) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        homes = await estates.homes_of(scope, actor.id)
        compound_ids = sorted({home["compound"] for home in homes})
        found = [vote for compound_id in compound_ids for vote in await ballots.of_compound(scope, compound_id)]
        return plugin.template("index.html", context={
            **await common(request), "homes": homes, "votes": found, "open": {v.id: ballots.is_open(v) for v in found},
            "bills": await fees.bills_of_units(scope, sorted({home["unit"] for home in homes})),
            "meetings": await meetings.for_owner(scope, actor.id)})

    async def _vote_page(self, request: Request, vote_id: int, *, errors: dict[str, str] | None = None,
                         problem: str = "", status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        vote = await ballots.get(scope, vote_id)
        if not await estates.keys_of(scope, vote.compound, actor.id):
            raise NotFoundException()
        _vote, tally = await ballots.tally(scope, vote_id)
        return plugin.template("vote.html", status_code=status_code, context={
            **await common(request), "vote": vote, "tally": tally, "is_open": ballots.is_open(vote),
            "closed": vote.closes_at <= now(),
            "mine": await ballots.my_ballot(scope, actor.id, vote), "errors": errors or {}, "problem": problem,
            "compound": await estates.compound(scope, vote.compound), "m2": estates.m2})

    async def _report_page(self, request: Request, *, values: dict[str, str], errors: dict[str, str],
                           status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        homes = await estates.homes_of(plugin.scope(request), actor.id)
        return plugin.template("report.html", status_code=status_code, context={
            **await common(request), "values": values, "errors": errors, "repair_kinds": repairs.KINDS,
            "homes": [(home["unit"], f"{home['compound_name']} {home['building']} {home['number']}") for home in homes],
            "key": values.get("idempotency_key") or uuid.uuid4().hex})

    @get("/repairs/new", name="red_property_report")
    async def report_form(self, request: Request) -> Response:
        return await self._report_page(request, values={}, errors={})

    @post("/repairs/new", name="red_property_send_report", status_code=303)
    async def report(self, request: Request) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            item_id = await repairs.report(plugin.scope(request), plugin.tenant(request).slug, actor.id, data)
        except ValidationFailed as error:
            return await self._report_page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"/t/{plugin.tenant(request).slug}/feedback/{item_id}", status_code=303)

    @get("/votes/{vote_id:int}", name="red_property_vote")
    async def vote(self, request: Request, vote_id: FromPath[int]) -> Response:
        return await self._vote_page(request, vote_id)

    @post("/votes/{vote_id:int}/ballot", name="red_property_cast", status_code=303)
    async def cast(self, request: Request, vote_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await ballots.cast(plugin.scope(request), actor.id, vote_id, await plugin.form_data(request))
        except ValidationFailed as error:
            return await self._vote_page(request, vote_id, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._vote_page(request, vote_id, problem=str(error.detail), status_code=409)
        except PermissionDenied:
            raise NotFoundException() from None
        return Redirect(f"{plugin.base(request)}/votes/{vote_id}", status_code=303)

