"""The district's side: offices, advisers and lawyers, the guides, lawyers' duty hours and
the figures. Duty hours are also set by the lawyers themselves. Thin: the work is in the
services."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, PermissionDenied, ValidationFailed

from plugins.legal_aid import duty, figures, guides, people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.routes.common import PRIVATE, common
from plugins.legal_aid.texts import ADVISER_KINDS, OFFICE_KINDS

MANAGERS = set(people.MANAGERS)
SCHEDULERS = MANAGERS | {people.LAWYER}


class ManagePages(Controller):
    path = "/console"
    opt = PRIVATE

    async def _people_page(self, request: Request, *, values: dict[str, str] | None = None,
                           errors: dict[str, str] | None = None, form: str = "", status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        return plugin.template("people.html", status_code=status_code, context={
            **await common(request), "offices": await people.offices(scope), "advisers": await people.advisers(scope),
            "communities": await plugin.communities(scope), "office_kinds": OFFICE_KINDS,
            "office_options": [(office.id, office.name) for office in await people.offices(scope)],
            "adviser_kinds": ADVISER_KINDS, "values": values or {}, "errors": errors or {}, "form": form})

    @get("/people", name="legal_aid_people")
    async def people_page(self, request: Request) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._people_page(request)

    @post("/offices", name="legal_aid_add_office", status_code=303)
    async def add_office(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await people.add_office(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._people_page(request, values=data, errors=plugin.field_errors(error), form="office",
                                           status_code=422)
        return Redirect(f"{plugin.base(request)}/console/people#offices", status_code=303)

    @post("/advisers", name="legal_aid_add_adviser", status_code=303)
    async def add_adviser(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await people.add_adviser(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._people_page(request, values=data, errors=plugin.field_errors(error), form="adviser",
                                           status_code=422)
        return Redirect(f"{plugin.base(request)}/console/people#advisers", status_code=303)

    @post("/advisers/{adviser_id:int}/remove", name="legal_aid_remove_adviser", status_code=303)
    async def remove_adviser(self, request: Request, adviser_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        await people.remove_adviser(plugin.scope(request), actor.id, adviser_id)
        return Redirect(f"{plugin.base(request)}/console/people#advisers", status_code=303)

    async def _guide_page(self, request: Request, matter: str, *, values: dict[str, str] | None = None,
                          errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        shared = await common(request)
        found = await guides.guide(plugin.scope(request), matter, shared["language"])
        return plugin.template("guide_edit.html", status_code=status_code, context={
            **shared, "guide": found, "values": values or found["text"], "errors": errors or {},
            "saved": request.query_params.get("saved") == "1"})

    @get("/guides/{matter:str}", name="legal_aid_edit_guide")
    async def guide(self, request: Request, matter: FromPath[str]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._guide_page(request, matter)

    @post("/guides/{matter:str}", name="legal_aid_save_guide", status_code=303)
    async def save_guide(self, request: Request, matter: FromPath[str]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await guides.edit(plugin.scope(request), actor.id, matter, data)
        except ValidationFailed as error:
            return await self._guide_page(request, matter, values=data, errors=plugin.field_errors(error),
                                          status_code=422)
        return Redirect(f"{plugin.base(request)}/console/guides/{matter}?saved=1", status_code=303)

    async def _duty_page(self, request: Request, *, values: dict[str, str] | None = None,
                         errors: dict[str, str] | None = None, form: str = "", problem: str = "",
                         status_code: int = 200) -> Response:
        actor, roles = await plugin.roles(request, SCHEDULERS)
        scope = plugin.scope(request)
        manager = bool(roles & MANAGERS)
        lawyers = await duty.lawyers(scope)
        if not manager:
            lawyers = {person: name for person, name in lawyers.items() if person == actor.id}
        return plugin.template("duty_console.html", status_code=status_code, context={
            **await common(request), "lawyers": lawyers,
            "community_options": [(row["id"], row["name"]) for row in await plugin.communities(scope)],
            "hours": await duty.roster(scope, None if manager else actor.id), "values": values or {},
            "errors": errors or {}, "form": form, "problem": problem, "made": request.query_params.get("made", "")})

    @get("/duty", name="legal_aid_duty_console")
    async def duty_page(self, request: Request) -> Response:
        return await self._duty_page(request)

    @post("/duty", name="legal_aid_schedule", status_code=303)
    async def schedule(self, request: Request) -> Response:
        actor, roles = await plugin.roles(request, SCHEDULERS)
        data = await plugin.form_data(request)
        try:
            made = await duty.schedule(plugin.scope(request), actor.id, roles, data)
        except ValidationFailed as error:
            return await self._duty_page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        except PermissionDenied as error:
            return await self._duty_page(request, values=data, problem=str(error.detail), status_code=403)
        return Redirect(f"{plugin.base(request)}/console/duty?made={made}", status_code=303)

    @post("/duty/{slot_id:int}/cancel", name="legal_aid_cancel_duty", status_code=303)
    async def cancel(self, request: Request, slot_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, SCHEDULERS)
        data = await plugin.form_data(request)
        try:
            await duty.cancel(plugin.scope(request), actor.id, roles, slot_id, data)
        except ValidationFailed as error:
            return await self._duty_page(request, values=data, errors=plugin.field_errors(error),
                                         form=f"cancel-{slot_id}", status_code=422)
        except (PermissionDenied, Conflict) as error:
            return await self._duty_page(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/duty", status_code=303)

    @get("/figures", name="legal_aid_figures")
    async def figures_page(self, request: Request) -> Response:
        await plugin.roles(request, MANAGERS)
        found = await figures.figures(plugin.scope(request))
        return plugin.template("figures.html", context={
            **await common(request), "district": found["district"], "matters_keys": found["matters"],
            "community_rows": [(row["name"], row["figures"]) for row in found["communities"]]})
