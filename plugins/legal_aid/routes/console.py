"""The advisers' side: the queue (green channel first), picking a request up, answering,
resolving, the green channel, and the cases a request becomes. Thin: the work is in the
services."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, PermissionDenied, ValidationFailed

from plugins.legal_aid import cases, consultations, people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.routes.common import PRIVATE, common
from plugins.legal_aid.routes.resident import case_page, consultation_page, refused

ADVISERS = {people.ADVISER}


class ConsolePages(Controller):
    path = "/console"
    opt = PRIVATE

    @get("/", name="legal_aid_queue")
    async def queue(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, ADVISERS | people.MANAGERS)
        scope = plugin.scope(request)
        return plugin.template("queue.html", context={
            **await common(request), **await consultations.queue(scope, actor.id),
            "referrals": await cases.open_referrals(scope), "problem": request.query_params.get("taken", "")})

    @post("/consultations/{consultation_id:int}/take", name="legal_aid_take", status_code=303)
    async def take(self, request: Request, consultation_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, ADVISERS)
        try:
            await consultations.take(plugin.scope(request), plugin.tenant(request).slug, actor.id, consultation_id)
        except Conflict:
            return Redirect(f"{plugin.base(request)}/console/?taken=1", status_code=303)
        return Redirect(f"{plugin.base(request)}/consultations/{consultation_id}", status_code=303)

    async def _act(self, request: Request, consultation_id: int, act) -> Response:
        actor, _roles = await plugin.roles(request, ADVISERS)
        data = await plugin.form_data(request)
        try:
            await act(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await consultation_page(request, consultation_id, errors=plugin.field_errors(error), values=data,
                                           status_code=422)
        except Conflict as error:
            return await consultation_page(request, consultation_id, values=data, problem=str(error.detail),
                                           status_code=409)
        except PermissionDenied:
            return await refused(request)
        return Redirect(f"{plugin.base(request)}/consultations/{consultation_id}", status_code=303)

    @post("/consultations/{consultation_id:int}/answer", name="legal_aid_answer", status_code=303)
    async def answer(self, request: Request, consultation_id: FromPath[int]) -> Response:
        return await self._act(request, consultation_id, lambda scope, actor_id, data: consultations.answer(
            scope, actor_id, consultation_id, data))

    @post("/consultations/{consultation_id:int}/resolve", name="legal_aid_resolve", status_code=303)
    async def resolve(self, request: Request, consultation_id: FromPath[int]) -> Response:
        return await self._act(request, consultation_id, lambda scope, actor_id, data: consultations.resolve(
            scope, actor_id, consultation_id, data))

    @post("/consultations/{consultation_id:int}/green", name="legal_aid_green", status_code=303)
    async def green(self, request: Request, consultation_id: FromPath[int]) -> Response:
        slug = plugin.tenant(request).slug
        return await self._act(request, consultation_id, lambda scope, actor_id, data: consultations.flag_green(
            scope, slug, actor_id, consultation_id, data))

    @post("/consultations/{consultation_id:int}/cases", name="legal_aid_open_case", status_code=303)
    async def open_case(self, request: Request, consultation_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, ADVISERS)
        data = await plugin.form_data(request)
        try:
            case = await cases.open_case(plugin.scope(request), plugin.tenant(request).slug, actor.id,
                                         consultation_id, data)
        except ValidationFailed as error:
            return await consultation_page(request, consultation_id, errors=plugin.field_errors(error), values=data,
                                           status_code=422)
        except PermissionDenied:
            return await refused(request)
        return Redirect(f"{plugin.base(request)}/cases/{case.id}", status_code=303)

    async def _case_act(self, request: Request, case_id: int, act) -> Response:
        actor, _roles = await plugin.roles(request, ADVISERS)
        data = await plugin.form_data(request)
        try:
            await act(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await case_page(request, case_id, errors=plugin.field_errors(error), values=data, status_code=422)
        except Conflict as error:
            return await case_page(request, case_id, values=data, problem=str(error.detail), status_code=409)
        except PermissionDenied:
            return await refused(request)
        return Redirect(f"{plugin.base(request)}/cases/{case_id}", status_code=303)

    @post("/cases/{case_id:int}/sessions", name="legal_aid_session", status_code=303)
    async def session(self, request: Request, case_id: FromPath[int]) -> Response:
        return await self._case_act(request, case_id, lambda scope, actor_id, data: cases.record_session(
            scope, actor_id, case_id, data))

    @post("/cases/{case_id:int}/outcome", name="legal_aid_outcome", status_code=303)
    async def outcome(self, request: Request, case_id: FromPath[int]) -> Response:
        slug = plugin.tenant(request).slug

        async def conclude(scope, actor_id, data):
            files = await plugin.uploaded_files(request, "agreement")
            return await cases.conclude(scope, slug, actor_id, case_id, data, files)

        return await self._case_act(request, case_id, conclude)

    @post("/cases/{case_id:int}/answer", name="legal_aid_referral_answer", status_code=303)
    async def referral_answer(self, request: Request, case_id: FromPath[int]) -> Response:
        slug = plugin.tenant(request).slug
        return await self._case_act(request, case_id, lambda scope, actor_id, data: cases.record_answer(
            scope, slug, actor_id, case_id, data))
