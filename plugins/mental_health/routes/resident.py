"""A resident's pages: their consent, the questionnaires, their results. Thin: the work is
in ``services``."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import ValidationFailed

from plugins.mental_health import care, services, texts
from plugins.mental_health.handle import plugin
from plugins.mental_health.instruments import INSTRUMENTS, Instrument
from plugins.mental_health.routes.common import PRIVATE, common


def _questions(questionnaire: Instrument, language: str) -> dict[str, Any]:
    return {"key": questionnaire.key, "name": questionnaire.text(questionnaire.name, language),
            "frame": questionnaire.text(questionnaire.frame, language),
            "items": [questionnaire.text(item, language) for item in questionnaire.items],
            "options": [questionnaire.text(option, language) for option in questionnaire.options],
            "crisis_item": questionnaire.crisis_item or 0,
            "severe_from": dict((band, lowest) for lowest, band in questionnaire.bands)["severe"]}


class ResidentPages(Controller):
    path = "/"
    opt = PRIVATE

    @get("/", name="mental_health_home")
    async def home(self, request: Request) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        shared = await common(request)
        return plugin.template("index.html", context={
            **shared, "consent": await services.current_consent(scope, actor.id),
            "screenings": await services.own_screenings(scope, actor.id),
            "break_glass": await care.break_glass_notices(scope, actor.id),
            "bookings": await care.bookings(scope, actor.id),
            "instruments": [(key, item.text(item.name, shared["language"])) for key, item in INSTRUMENTS.items()]})

    # Consent -------------------------------------------------------------------------

    async def _consent_page(self, request: Request, *, values: dict[str, str], errors: dict[str, str],
                            status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        return plugin.template("consent.html", status_code=status_code, context={
            **await common(request), "values": values, "errors": errors, "version": services.CONSENT_VERSION,
            "consent": await services.current_consent(scope, actor.id),
            "needed": request.query_params.get("needed") == "1",
            "withdrawn": request.query_params.get("withdrawn") == "1",
            "next": request.query_params.get("next", "")})

    @get("/consent", name="mental_health_consent")
    async def consent(self, request: Request) -> Response:
        return await self._consent_page(request, values={}, errors={})

    @post("/consent", name="mental_health_give_consent", status_code=303)
    async def give_consent(self, request: Request) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            await services.give_consent(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._consent_page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        following = data.get("next", "")
        if following in INSTRUMENTS:
            return Redirect(f"{plugin.base(request)}/screening/{following}", status_code=303)
        return Redirect(f"{plugin.base(request)}/", status_code=303)

    @post("/consent/withdraw", name="mental_health_withdraw_consent", status_code=303)
    async def withdraw_consent(self, request: Request) -> Response:
        actor = plugin.actor(request)
        await services.withdraw_consent(plugin.scope(request), actor.id)
        return Redirect(f"{plugin.base(request)}/consent?withdrawn=1", status_code=303)

    # Screening -----------------------------------------------------------------------

    async def _screening_page(self, request: Request, questionnaire: Instrument, *, values: dict[str, str],
                              errors: dict[str, str], status_code: int = 200) -> Response:
        shared = await common(request)
        return plugin.template("screening.html", status_code=status_code, context={
            **shared, "questionnaire": _questions(questionnaire, shared["language"]), "values": values,
            "errors": errors})

    @get("/screening/{instrument:str}", name="mental_health_screening")
    async def screening(self, request: Request, instrument: FromPath[str]) -> Response:
        actor = plugin.actor(request)
        questionnaire = services.instrument(instrument)
        if await services.current_consent(plugin.scope(request), actor.id) is None:
            return Redirect(f"{plugin.base(request)}/consent?needed=1&next={questionnaire.key}", status_code=303)
        # The form carries its own key: sent twice (a retry, a double tap), it is one screening.
        return await self._screening_page(request, questionnaire, errors={},
                                          values={"idempotency_key": str(uuid.uuid4())})

    @post("/screening/{instrument:str}", name="mental_health_screen", status_code=303)
    async def screen(self, request: Request, instrument: FromPath[str]) -> Response:
        actor = plugin.actor(request)
        questionnaire = services.instrument(instrument)
        data = await plugin.form_data(request)
        try:
            row, _new = await services.screen(plugin.scope(request), actor.id, questionnaire, data)
        except ValidationFailed as error:
            if not services.valid_key(data.get("idempotency_key", "")):
                data["idempotency_key"] = str(uuid.uuid4())
            return await self._screening_page(request, questionnaire, values=data, errors=plugin.field_errors(error),
                                              status_code=422)
        return Redirect(f"{plugin.base(request)}/screenings/{row.id}", status_code=303)

    @get("/screenings/{screening_id:int}", name="mental_health_result")
    async def result(self, request: Request, screening_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        shared = await common(request)
        found = await services.result(scope, actor.id, screening_id)
        questionnaire = INSTRUMENTS[found["instrument"]]
        return plugin.template("result.html", context={
            **shared, "result": found, "name": questionnaire.text(questionnaire.name, shared["language"]),
            "maximum": questionnaire.maximum, "band": texts.BANDS.get(found["band"], ""),
            "advice": texts.ADVICE.get(found["band"], ""), "trend": await services.trend(scope, found["person_id"], found["instrument"], reader_id=actor.id)})
