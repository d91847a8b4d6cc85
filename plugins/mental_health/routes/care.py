"""The counsellors' side: their residents, one resident's record (results, trend, session
notes, bookings), assignment, a supervisor's break-glass access, counselling sessions; and
a resident's booking of a session. Thin: the work is in ``care``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, Message, NotFound, ValidationFailed

from plugins.mental_health import care, network, services, texts
from plugins.mental_health.handle import plugin
from plugins.mental_health.instruments import INSTRUMENTS
from plugins.mental_health.routes.common import PRIVATE, common

STAFF = services.CONSOLE | {care.DISTRICT_ADMIN}


def _instruments(language: str) -> dict[str, str]:
    return {key: item.text(item.name, language) for key, item in INSTRUMENTS.items()}


class CarePages(Controller):
    """Where counsellors and supervisors work with one resident at a time."""

    path = "/console"
    opt = PRIVATE

    @get("/residents/", name="mental_health_residents")
    async def residents(self, request: Request) -> Response:
        actor, roles = await plugin.roles(request, STAFF)
        scope = plugin.scope(request)
        everyone = bool(roles & network.MANAGERS)
        return plugin.template("care_residents.html", context={
            **await common(request), "assigned": await care.assigned_to(scope, None if everyone else actor.id),
            "waiting": await care.unassigned_referred(scope), "everyone": everyone})

    async def _refused(self, request: Request, person_id: int, roles, *, values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, status_code: int | None = None) -> Response:
        scope = plugin.scope(request)
        actor = plugin.actor(request)
        staff = bool(roles & STAFF)
        people = await plugin.people(scope, [person_id]) if staff else {}
        counsellors = await network.counsellors_of(scope) if roles & network.MANAGERS else []
        names = await plugin.people(scope, counsellors)
        return plugin.template("care_refused.html", status_code=status_code or (403 if staff else 404), context={
            **await common(request), "person_id": person_id, "staff": staff,
            "person": people.get(person_id, {}).get("display_name", ""),
            "supervisor": care.SUPERVISOR in roles, "assigner": bool(roles & network.MANAGERS),
            "may_take": care.COUNSELLOR in roles and await care.has_referral(scope, person_id),
            "me": actor.id, "counsellors": [(person, names.get(person, {}).get("display_name", ""))
                                            for person in counsellors],
            "values": values or {}, "errors": errors or {}})

    async def _record(self, request: Request, person_id: int, *, note: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, problem: str = "", status_code: int = 200) -> Response:
        actor, roles = await plugin.roles(request)
        scope = plugin.scope(request)
        try:
            found = await care.record(scope, actor.id, person_id)
        except services.Unreadable:
            return await self._refused(request, person_id, roles)
        shared = await common(request)
        counsellor = found["counsellor_id"] == actor.id
        glass = await care.open_break_glass(scope, actor.id, person_id) if not counsellor else None
        may_book = care.COUNSELLOR in roles and await care.may_book_for(scope, actor.id, person_id)
        return plugin.template("care_resident.html", status_code=status_code, context={
            **shared, "record": found, "names": _instruments(shared["language"]), "bands": texts.BANDS,
            "maxima": {key: item.maximum for key, item in INSTRUMENTS.items()}, "counsellor": counsellor,
            "break_glass": glass, "assigner": bool(roles & network.MANAGERS),
            "sessions": await care.free_sessions(scope, actor.id) if may_book else [], "may_book": may_book,
            "note": note or {}, "errors": errors or {}, "problem": problem,
            "booked": request.query_params.get("booked") == "1"})

    @get("/residents/{person_id:int}", name="mental_health_resident")
    async def resident(self, request: Request, person_id: FromPath[int]) -> Response:
        return await self._record(request, person_id)

    @post("/residents/{person_id:int}/notes", name="mental_health_write_note", status_code=303)
    async def write_note(self, request: Request, person_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, services.CONSOLE)
        data = await plugin.form_data(request)
        try:
            await care.write_note(plugin.scope(request), actor.id, person_id, data)
        except ValidationFailed as error:
            return await self._record(request, person_id, note=data, errors=plugin.field_errors(error),
                                      status_code=422)
        return Redirect(f"{plugin.base(request)}/console/residents/{person_id}#notes", status_code=303)

    @post("/residents/{person_id:int}/book", name="mental_health_book_for", status_code=303)
    async def book_for(self, request: Request, person_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, {care.COUNSELLOR})
        data = await plugin.form_data(request)
        try:
            await care.book_for(plugin.scope(request), actor.id, person_id, data)
        except ValidationFailed as error:
            return await self._record(request, person_id, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._record(request, person_id, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/residents/{person_id}?booked=1#bookings", status_code=303)

    @post("/residents/{person_id:int}/assign", name="mental_health_assign", status_code=303)
    async def assign(self, request: Request, person_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, STAFF)
        data = await plugin.form_data(request)
        chosen = data.get("counsellor_id", "")
        try:
            if not chosen.isdigit():
                raise ValidationFailed({"counsellor_id": Message("Choose a counsellor of the district.")})
            await care.assign(plugin.scope(request), actor.id, roles, person_id, int(chosen))
        except ValidationFailed as error:
            return await self._refused(request, person_id, roles, values=data, errors=plugin.field_errors(error),
                                       status_code=422)
        return Redirect(f"{plugin.base(request)}/console/residents/", status_code=303)

    @post("/residents/{person_id:int}/end", name="mental_health_end_assignment", status_code=303)
    async def end(self, request: Request, person_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, STAFF)
        await care.end_assignment(plugin.scope(request), actor.id, roles, person_id)
        return Redirect(f"{plugin.base(request)}/console/residents/", status_code=303)

    async def _break_glass_page(self, request: Request, person_id: int, *, values: dict[str, str],
                                errors: dict[str, str], status_code: int = 200) -> Response:
        people = await plugin.people(plugin.scope(request), [person_id])
        if person_id not in people:
            raise NotFound()
        return plugin.template("care_break_glass.html", status_code=status_code, context={
            **await common(request), "person_id": person_id, "person": people[person_id]["display_name"],
            "values": values, "errors": errors, "hours": int(care.BREAK_GLASS_LASTS.total_seconds() // 3600),
            "shortest": care.SHORTEST_REASON})

    @get("/residents/{person_id:int}/break-glass", name="mental_health_break_glass")
    async def break_glass(self, request: Request, person_id: FromPath[int]) -> Response:
        await plugin.roles(request, {care.SUPERVISOR})
        return await self._break_glass_page(request, person_id, values={}, errors={})

    @post("/residents/{person_id:int}/break-glass", name="mental_health_open_break_glass", status_code=303)
    async def open_break_glass(self, request: Request, person_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, {care.SUPERVISOR})
        data = await plugin.form_data(request)
        try:
            await care.break_glass(plugin.scope(request), actor.id, roles, person_id, data)
        except ValidationFailed as error:
            return await self._break_glass_page(request, person_id, values=data, errors=plugin.field_errors(error),
                                                status_code=422)
        return Redirect(f"{plugin.base(request)}/console/residents/{person_id}", status_code=303)

    # A counsellor's sessions -----------------------------------------------------------------

    async def _sessions_page(self, request: Request, *, values: dict[str, str] | None = None,
                             errors: dict[str, str] | None = None, form: str = "", problem: str = "",
                             status_code: int = 200) -> Response:
        actor, _roles = await plugin.roles(request, {care.COUNSELLOR})
        return plugin.template("care_appointments.html", status_code=status_code, context={
            **await common(request), "slots": await care.roster(plugin.scope(request), actor.id),
            "values": values or {"minutes": str(care.SESSION_MINUTES)}, "errors": errors or {}, "form": form,
            "problem": problem, "made": request.query_params.get("made", "")})

    @get("/appointments/", name="mental_health_sessions")
    async def sessions(self, request: Request) -> Response:
        return await self._sessions_page(request)

    @post("/appointments/slot", name="mental_health_publish_slot", status_code=303)
    async def publish_slot(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, {care.COUNSELLOR})
        data = await plugin.form_data(request)
        try:
            await care.publish_slot(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._sessions_page(request, values=data, errors=plugin.field_errors(error), form="slot",
                                             status_code=422)
        except Conflict as error:
            return await self._sessions_page(request, values=data, form="slot", problem=str(error.detail),
                                             status_code=409)
        return Redirect(f"{plugin.base(request)}/console/appointments/?made=1", status_code=303)

    @post("/appointments/weekly", name="mental_health_publish_weekly", status_code=303)
    async def publish_weekly(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, {care.COUNSELLOR})
        data = await plugin.form_data(request)
        try:
            made = await care.publish_weekly(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._sessions_page(request, values=data, errors=plugin.field_errors(error), form="weekly",
                                             status_code=422)
        return Redirect(f"{plugin.base(request)}/console/appointments/?made={made}", status_code=303)


class AppointmentPages(Controller):
    """Where a resident books a counselling session, sees theirs and cancels one."""

    path = "/appointments"
    opt = PRIVATE

    async def _page(self, request: Request, *, problem: str = "", status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        context: dict[str, Any] = {
            **await common(request), "sessions": await care.free_sessions(scope),
            "bookings": await care.bookings(scope, actor.id), "problem": problem,
            "booked": request.query_params.get("booked") == "1",
            "cancelled": request.query_params.get("cancelled") == "1"}
        return plugin.template("appointments.html", status_code=status_code, context=context)

    @get("/", name="mental_health_appointments")
    async def appointments(self, request: Request) -> Response:
        return await self._page(request)

    @post("/{slot_id:int}/book", name="mental_health_book", status_code=303)
    async def book(self, request: Request, slot_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await care.book(plugin.scope(request), actor.id, slot_id)
        except Conflict as error:
            return await self._page(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/appointments/?booked=1", status_code=303)

    @post("/bookings/{booking_id:int}/cancel", name="mental_health_cancel_booking", status_code=303)
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await care.cancel(plugin.scope(request), actor.id, booking_id)
        except Conflict as error:
            return await self._page(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/appointments/?cancelled=1", status_code=303)
