"""Joint meetings on the web: the console schedules them, sets the agenda from residents'
matters, minutes the discussion and records decisions with their action items; owners of the
compound read the decisions and evaluate how each turned out."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, PermissionDenied, ValidationFailed

from plugins.red_property import estates, meetings
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import MANAGERS, PAGE, common


class MeetingConsolePages(Controller):
    path = "/console"
    opt = PAGE

    async def _list(self, request: Request, compound_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        return plugin.template("meetings.html", status_code=status_code, context={
            **await common(request), "compound": await estates.compound(scope, compound_id),
            "meetings": await meetings.of_compound(scope, compound_id), "values": values or {},
            "errors": errors or {}})

    @get("/compounds/{compound_id:int}/meetings", name="red_property_meetings")
    async def meetings(self, request: Request, compound_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._list(request, compound_id)

    @post("/compounds/{compound_id:int}/meetings", name="red_property_schedule_meeting", status_code=303)
    async def schedule(self, request: Request, compound_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            meeting = await meetings.schedule(plugin.scope(request), actor.id, compound_id, data)
        except ValidationFailed as error:
            return await self._list(request, compound_id, values=data, errors=plugin.field_errors(error),
                                    status_code=422)
        return Redirect(f"{plugin.base(request)}/console/meetings/{meeting.id}", status_code=303)

    async def _meeting(self, request: Request, meeting_id: int, *, values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, form: str = "", status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        found = await meetings.record(scope, meeting_id)
        return plugin.template("meeting_console.html", status_code=status_code, context={
            **await common(request), **found, "compound": await estates.compound(scope, found["meeting"].compound),
            "matters_options": [(row["id"], f"{row['tracking_number']}{' ⚠' if row['overdue'] else ''}")
                                for row in await meetings.residents_matters(scope, found["meeting"])],
            "agenda_options": [(row["id"], row["title"]) for row in found["agenda"]], "owners": meetings.OWNERS,
            "values": values or {}, "errors": errors or {}, "form": form,
            "key": (values or {}).get("idempotency_key") or uuid.uuid4().hex})

    @get("/meetings/{meeting_id:int}", name="red_property_meeting_console")
    async def meeting(self, request: Request, meeting_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._meeting(request, meeting_id)

    @post("/meetings/{meeting_id:int}/{part:str}", name="red_property_meeting_part", status_code=303)
    async def part(self, request: Request, meeting_id: FromPath[int], part: FromPath[str]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        actions = {"agenda": meetings.add_agenda, "notes": meetings.save_notes}
        if part not in (*actions, "decisions"):
            raise NotFoundException()
        data = await plugin.form_data(request)
        scope = plugin.scope(request)
        try:
            if part == "decisions":
                await meetings.decide(scope, plugin.tenant(request).slug, actor.id, meeting_id, data)
            else:
                await actions[part](scope, actor.id, meeting_id, data)
        except ValidationFailed as error:
            return await self._meeting(request, meeting_id, values=data, errors=plugin.field_errors(error), form=part,
                                       status_code=422)
        return Redirect(f"{plugin.base(request)}/console/meetings/{meeting_id}#{part}", status_code=303)


class MeetingPages(Controller):
    path = "/meetings"
    opt = PAGE

    async def _page(self, request: Request, meeting_id: int, *, errors: dict[str, str] | None = None,
                    problem: str = "", decision_id: int | None = None, values: dict[str, str] | None = None,
                    status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        actor = plugin.actor(request)
        found = await meetings.record(scope, meeting_id)
        if not await meetings.is_owner_of(scope, actor.id, found["meeting"].compound):
            raise NotFoundException()
        return plugin.template("meeting.html", status_code=status_code, context={
            **await common(request), **found, "compound": await estates.compound(scope, found["meeting"].compound),
            "me": actor.id, "errors": errors or {}, "problem": problem, "decision_id": decision_id,
            "values": values or {}})

    @get("/{meeting_id:int}", name="red_property_meeting")
    async def meeting(self, request: Request, meeting_id: FromPath[int]) -> Response:
        return await self._page(request, meeting_id)

    @post("/decisions/{decision_id:int}/evaluation", name="red_property_evaluate", status_code=303)
    async def evaluate(self, request: Request, decision_id: FromPath[int]) -> Response:
        scope = plugin.scope(request)
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            await meetings.evaluate(scope, actor.id, decision_id, data)
        except PermissionDenied:
            raise NotFoundException() from None
        except (ValidationFailed, Conflict) as error:
            meeting_id = await meetings.meeting_of_decision(scope, decision_id)
            if isinstance(error, ValidationFailed):
                return await self._page(request, meeting_id, errors=plugin.field_errors(error),
                                        decision_id=decision_id, values=data, status_code=422)
            return await self._page(request, meeting_id, problem=str(error.detail), status_code=409)
        meeting_id = await meetings.meeting_of_decision(scope, decision_id)
        return Redirect(f"{plugin.base(request)}/meetings/{meeting_id}", status_code=303)
