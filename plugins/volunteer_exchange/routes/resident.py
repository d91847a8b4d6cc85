"""A volunteer's pages: their points, stars and service, the activities to sign up for,
checking in and out with the organiser's code, and the rewards to redeem."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed

from plugins.volunteer_exchange import activities, certificate, points, rewards
from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.routes.common import PAGE, common


class ResidentPages(Controller):
    path = "/"
    opt = PAGE

    @get("/", name="volunteer_exchange_home")
    async def home(self, request: Request) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        province = await plugin.province_of(scope)
        held = await points.points_of(province, actor.id)
        minutes = await points.hours_of(province, actor.id)
        return plugin.template("index.html", context={
            **await common(request), "total": sum(held.values()), "held": held, "hours": f"{minutes / 60:.1f}",
            "stars": points.stars_for(minutes), "activities": await activities.upcoming(scope),
            "signed": {b["slot"] for b in await plugin.appointments.bookings_of(scope, actor.id)},
            "service": await activities.my_hours(scope, actor.id), "redemptions": await rewards.mine(scope, actor.id)})

    async def _activity(self, request: Request, activity_id: int, *, errors: dict[str, str] | None = None,
                        problem: str = "", done: str = "", values: dict[str, str] | None = None,
                        status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        activity = await activities.get(scope, activity_id)
        slot = await plugin.appointments.slot(scope, activity.slot_id)
        return plugin.template("activity.html", status_code=status_code, context={
            **await common(request), "activity": activity, "free": slot["free"],
            "booking": await activities.booking(scope, actor.id, activity), "errors": errors or {},
            "problem": problem, "done": done, "values": values or {}})

    @get("/activities/{activity_id:int}", name="volunteer_exchange_activity")
    async def activity(self, request: Request, activity_id: FromPath[int]) -> Response:
        return await self._activity(request, activity_id)

    async def _act(self, request: Request, activity_id: int, action: str) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        data = await plugin.form_data(request)
        done = ""
        try:
            if action == "sign-up":
                await activities.sign_up(scope, actor.id, activity_id)
            elif action == "cancel":
                await activities.cancel(scope, actor.id, activity_id)
            else:
                done, _row = await activities.check(scope, actor.id, activity_id, data.get("code", ""))
        except ValidationFailed as error:
            return await self._activity(request, activity_id, errors=plugin.field_errors(error), values=data,
                                        status_code=422)
        except Conflict as error:
            return await self._activity(request, activity_id, problem=str(error.detail), status_code=409)
        if done:
            return await self._activity(request, activity_id, done=done)
        return Redirect(f"{plugin.base(request)}/activities/{activity_id}", status_code=303)

    @post("/activities/{activity_id:int}/sign-up", name="volunteer_exchange_sign_up", status_code=303)
    async def sign_up(self, request: Request, activity_id: FromPath[int]) -> Response:
        return await self._act(request, activity_id, "sign-up")

    @post("/activities/{activity_id:int}/cancel", name="volunteer_exchange_cancel", status_code=303)
    async def cancel(self, request: Request, activity_id: FromPath[int]) -> Response:
        return await self._act(request, activity_id, "cancel")

    @post("/activities/{activity_id:int}/check", name="volunteer_exchange_check", status_code=303)
    async def check(self, request: Request, activity_id: FromPath[int]) -> Response:
        return await self._act(request, activity_id, "check")

    @get("/activities/{activity_id:int}/check/{code:str}", name="volunteer_exchange_check_link")
    async def check_link(self, request: Request, activity_id: FromPath[int], code: FromPath[str]) -> Response:
        """What the organiser's QR code opens: a button, so that opening the link changes nothing."""
        activity = await activities.get(plugin.scope(request), activity_id)
        return plugin.template("check.html", context={**await common(request), "activity": activity,
                                                      "code": code[:64], "purpose": code.split("-", 1)[0]})

    @get("/certificate.pdf", name="volunteer_exchange_certificate")
    async def certificate(self, request: Request) -> Response:
        """The volunteer's certificate of service, as a PDF to keep or print."""
        actor = plugin.actor(request)
        content = await certificate.pdf(plugin.scope(request), actor.id)
        return Response(content, media_type="application/pdf", headers={
            "content-disposition": 'attachment; filename="volunteer-service.pdf"', "cache-control": "no-store"})

    async def _rewards(self, request: Request, *, problem: str = "", status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        return plugin.template("rewards.html", status_code=status_code, context={
            **await common(request), "rewards": await rewards.catalogue(scope), "problem": problem,
            "key": uuid.uuid4().hex})

    @get("/rewards/", name="volunteer_exchange_rewards")
    async def reward_list(self, request: Request) -> Response:
        plugin.actor(request)
        return await self._rewards(request)

    @post("/rewards/{reward_id:int}/redeem", name="volunteer_exchange_redeem", status_code=303)
    async def redeem(self, request: Request, reward_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            await rewards.redeem(plugin.scope(request), actor.id, reward_id, data.get("key", ""))
        except (Conflict, ValidationFailed) as error:
            return await self._rewards(request, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/#redemptions", status_code=303)
