"""The district's console: compounds with their units and owners (and CSV import), property
firms and whom they serve, and owners' votes with paper ballots and the tally."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, Message, ValidationFailed

from plugins.red_property import ballots, estates, firms
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import MANAGERS, PAGE, common


class ConsolePages(Controller):
    path = "/console"
    opt = PAGE

    async def _index(self, request: Request, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, form: str = "", status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        return plugin.template("console.html", status_code=status_code, context={
            **await common(request), "compounds": await estates.compounds(scope), "firms": await firms.firms(scope),
            "communities": [(row["id"], row["name"]) for row in await plugin.communities(scope)],
            "values": values or {}, "errors": errors or {}, "form": form})

    @get("/", name="red_property_console")
    async def index(self, request: Request) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._index(request)

    @post("/compounds", name="red_property_add_compound", status_code=303)
    async def add_compound(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            compound = await estates.add_compound(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._index(request, values=data, errors=plugin.field_errors(error), form="compound",
                                     status_code=422)
        return Redirect(f"{plugin.base(request)}/console/compounds/{compound.id}", status_code=303)

    @post("/firms", name="red_property_add_firm", status_code=303)
    async def add_firm(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await firms.add(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._index(request, values=data, errors=plugin.field_errors(error), form="firm",
                                     status_code=422)
        return Redirect(f"{plugin.base(request)}/console/#firms", status_code=303)

    async def _compound(self, request: Request, compound_id: int, *, values: dict[str, str] | None = None,
                        errors: dict[str, str] | None = None, form: str = "", report=None, problem: str = "",
                        status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        compound = await estates.compound(scope, compound_id)
        return plugin.template("compound.html", status_code=status_code, context={
            **await common(request), "compound": compound, "units": await estates.units_of(scope, compound_id),
            "firm_options": [(firm.id, firm.name) for firm in await firms.firms(scope)],
            "votes": await ballots.of_compound(scope, compound_id),
            "values": values or {}, "errors": errors or {}, "form": form, "report": report, "problem": problem})

    @get("/compounds/{compound_id:int}", name="red_property_compound")
    async def compound(self, request: Request, compound_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._compound(request, compound_id)

    @post("/compounds/{compound_id:int}/import", name="red_property_import", status_code=200)
    async def import_units(self, request: Request, compound_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        try:
            files = await plugin.uploaded_files(request, "file")
            if not files:
                raise ValidationFailed({"file": Message("Choose a CSV file.")})
            report = await estates.import_csv(plugin.scope(request), actor.id, compound_id, files[0][2])
        except ValidationFailed as error:
            return await self._compound(request, compound_id, errors=plugin.field_errors(error), form="import",
                                        status_code=422)
        return await self._compound(request, compound_id, report=report)

    @post("/compounds/{compound_id:int}/firm", name="red_property_serve", status_code=303)
    async def serve(self, request: Request, compound_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        chosen = (await plugin.form_data(request)).get("firm", "")
        await firms.serve(plugin.scope(request), actor.id, compound_id, int(chosen) if chosen.isdigit() else None)
        return Redirect(f"{plugin.base(request)}/console/compounds/{compound_id}", status_code=303)

    @post("/compounds/{compound_id:int}/votes", name="red_property_open_vote", status_code=303)
    async def open_vote(self, request: Request, compound_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            vote = await ballots.open_vote(plugin.scope(request), actor.id, compound_id, data)
        except ValidationFailed as error:
            return await self._compound(request, compound_id, values=data, errors=plugin.field_errors(error),
                                        form="vote", status_code=422)
        except Conflict as error:
            return await self._compound(request, compound_id, values=data, problem=str(error.detail),
                                        status_code=409)
        return Redirect(f"{plugin.base(request)}/console/votes/{vote.id}", status_code=303)

    async def _vote(self, request: Request, vote_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, problem: str = "", status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        vote, tally = await ballots.tally(scope, vote_id)
        return plugin.template("vote_console.html", status_code=status_code, context={
            **await common(request), "vote": vote, "tally": tally, "is_open": ballots.is_open(vote),
            "compound": await estates.compound(scope, vote.compound),
            "owners": await ballots.owners_list(scope, vote.compound), "m2": estates.m2,
            "values": values or {}, "errors": errors or {}, "problem": problem})

    @get("/votes/{vote_id:int}", name="red_property_vote_console")
    async def vote(self, request: Request, vote_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._vote(request, vote_id)

    @post("/votes/{vote_id:int}/paper", name="red_property_paper", status_code=303)
    async def paper(self, request: Request, vote_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await ballots.enter_paper(plugin.scope(request), actor.id, vote_id, data)
        except ValidationFailed as error:
            return await self._vote(request, vote_id, values=data, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._vote(request, vote_id, values=data, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/votes/{vote_id}", status_code=303)


