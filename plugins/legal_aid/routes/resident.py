"""A resident's pages: asking for help, their requests with the guide and its checklist,
their cases, and booking a lawyer's duty hour. Thin: the work is in the services."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed

from plugins.legal_aid import cases, consultations, duty, guides, people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.routes.common import PRIVATE, common

# Who is told "refused" (403) rather than "not found" for a request not theirs: the
# district's staff, advisers and lawyers; a resident learns nothing of others' requests.
STAFF = people.MANAGERS | {people.ADVISER, people.LAWYER, "staff", "grid_worker", "department_staff"}


async def refused(request: Request, status_code: int = 403) -> Response:
    return plugin.template("refused.html", status_code=status_code, context=await common(request))


async def consultation_page(request: Request, consultation_id: int, *, errors: dict[str, str] | None = None,
                            values: dict[str, str] | None = None, problem: str = "",
                            status_code: int = 200) -> Response:
    """One request, for its resident or its adviser (refused, audited, for anyone else)."""
    actor, roles = await plugin.roles(request)
    scope = plugin.scope(request)
    shared = await common(request)
    try:
        found = await consultations.read(scope, actor.id, consultation_id, shared["language"])
    except consultations.Unreadable:
        return await refused(request, 403 if roles & STAFF else 404)
    adviser = found["consultation"].adviser_id == actor.id
    return plugin.template("consultation.html", status_code=status_code, context={
        **shared, **found, "is_adviser": adviser, "is_resident": found["consultation"].person_id == actor.id,
        "mediators": [(row["person_id"], row["name"]) for row in await people.advisers(scope)] if adviser else [], "errors": errors or {},
        "values": values or {}, "problem": problem, "sent": request.query_params.get("sent") == "1"})


class ResidentPages(Controller):
    path = "/"
    opt = PRIVATE

    @get("/", name="legal_aid_home")
    async def home(self, request: Request) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        return plugin.template("index.html", context={
            **await common(request), "own": await consultations.own(scope, actor.id),
            "bookings": await duty.bookings(scope, actor.id)})

    async def _ask_page(self, request: Request, *, values: dict[str, str], errors: dict[str, str],
                        problem: str = "", status_code: int = 200) -> Response:
        return plugin.template("ask.html", status_code=status_code, context={
            **await common(request), "values": values, "errors": errors, "problem": problem,
            "key": values.get("idempotency_key") or uuid.uuid4().hex})

    @get("/ask", name="legal_aid_ask")
    async def ask_form(self, request: Request) -> Response:
        matter = request.query_params.get("matter", "")
        return await self._ask_page(request, values={"matter": matter}, errors={})

    @post("/ask", name="legal_aid_send", status_code=303)
    async def ask(self, request: Request) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            files = await plugin.uploaded_files(request, "documents")
            consultation, _new = await consultations.ask(plugin.scope(request), plugin.tenant(request).slug, actor.id,
                                                         data, files)
        except ValidationFailed as error:
            return await self._ask_page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._ask_page(request, values=data, errors={}, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/consultations/{consultation.id}?sent=1", status_code=303)

    @get("/guides/{matter:str}", name="legal_aid_guide")
    async def guide(self, request: Request, matter: FromPath[str]) -> Response:
        shared = await common(request)
        return plugin.template("guide.html", context={
            **shared, "guide": await guides.guide(plugin.scope(request), matter, shared["language"])})

    @get("/consultations/{consultation_id:int}", name="legal_aid_consultation")
    async def consultation(self, request: Request, consultation_id: FromPath[int]) -> Response:
        return await consultation_page(request, consultation_id)

    @post("/consultations/{consultation_id:int}/materials", name="legal_aid_materials", status_code=303)
    async def materials(self, request: Request, consultation_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await consultations.tick(plugin.scope(request), actor.id, consultation_id,
                                     await plugin.form_data(request), (await common(request))["language"])
        except consultations.Unreadable:
            return await refused(request)
        return Redirect(f"{plugin.base(request)}/consultations/{consultation_id}#materials", status_code=303)

    @post("/consultations/{consultation_id:int}/documents", name="legal_aid_add_documents", status_code=303)
    async def add_documents(self, request: Request, consultation_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await consultations.add_documents(plugin.scope(request), actor.id, consultation_id,
                                              await plugin.uploaded_files(request, "documents"))
        except consultations.Unreadable:
            return await refused(request)
        except ValidationFailed as error:
            return await consultation_page(request, consultation_id, errors=plugin.field_errors(error),
                                           status_code=422)
        return Redirect(f"{plugin.base(request)}/consultations/{consultation_id}#documents", status_code=303)

    @get("/consultations/{consultation_id:int}/documents/{document_id:int}", name="legal_aid_document")
    async def document(self, request: Request, consultation_id: FromPath[int], document_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            name, content_type, content = await consultations.document(plugin.scope(request), actor.id,
                                                                       consultation_id, document_id)
        except consultations.Unreadable:
            return await refused(request)
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
        return Response(content, media_type=content_type, headers={
            "content-disposition": f'attachment; filename="document-{document_id}.{extension}"',
            "x-content-type-options": "nosniff"})

    @get("/cases/{case_id:int}", name="legal_aid_case")
    async def case(self, request: Request, case_id: FromPath[int]) -> Response:
        return await case_page(request, case_id)

    # Lawyers' duty hours -------------------------------------------------------------

    async def _duty_page(self, request: Request, *, problem: str = "", status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        return plugin.template("duty.html", status_code=status_code, context={
            **await common(request), "slots": await duty.free(scope), "bookings": await duty.bookings(scope, actor.id),
            "problem": problem, "booked": request.query_params.get("booked") == "1",
            "cancelled": request.query_params.get("cancelled") == "1"})

    @get("/duty", name="legal_aid_duty")
    async def duty_hours(self, request: Request) -> Response:
        return await self._duty_page(request)

    @post("/duty/{slot_id:int}/book", name="legal_aid_book", status_code=303)
    async def book(self, request: Request, slot_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await duty.book(plugin.scope(request), actor.id, slot_id)
        except Conflict as error:
            return await self._duty_page(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/duty?booked=1", status_code=303)

    @post("/duty/bookings/{booking_id:int}/cancel", name="legal_aid_cancel_booking", status_code=303)
    async def cancel_booking(self, request: Request, booking_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        try:
            await duty.cancel_booking(plugin.scope(request), actor.id, booking_id)
        except Conflict as error:
            return await self._duty_page(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/duty?cancelled=1", status_code=303)


async def case_page(request: Request, case_id: int, *, errors: dict[str, str] | None = None,
                    values: dict[str, str] | None = None, problem: str = "", status_code: int = 200) -> Response:
    actor, roles = await plugin.roles(request)
    try:
        found = await cases.read(plugin.scope(request), actor.id, case_id)
    except consultations.Unreadable:
        return await refused(request, 403 if roles & STAFF else 404)
    return plugin.template("case.html", status_code=status_code, context={
        **await common(request), **found, "errors": errors or {}, "values": values or {}, "problem": problem})
