"""The organiser's pages (their activities, rosters, the minute's check-in and check-out codes,
confirming hours) and the merchant's (checking a redemption code once)."""

from __future__ import annotations

import io

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, ValidationFailed, now

from plugins.volunteer_exchange import activities, rewards
from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.routes.common import PAGE, common


def qr_svg(url: str) -> str:
    """A QR code of ``url``, as inline SVG (the volunteer's camera opens it)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title="QR")
    return buffer.getvalue().decode()


class ManagePages(Controller):
    path = "/manage"
    opt = PAGE

    async def _index(self, request: Request, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        actor, _roles = await plugin.roles(request, activities.ORGANISERS)
        scope = plugin.scope(request)
        mine = [a for a in await activities.upcoming(scope) if a["organiser"] == actor.id]
        settings = await plugin.settings(scope)
        return plugin.template("manage.html", status_code=status_code, context={
            **await common(request), "activities": mine,
            "values": values if values is not None else {"points_per_hour": str(settings["points_per_hour"])},
            "errors": errors or {}})

    @get("/", name="volunteer_exchange_manage")
    async def index(self, request: Request) -> Response:
        return await self._index(request)

    @post("/activities", name="volunteer_exchange_post", status_code=303)
    async def post_activity(self, request: Request) -> Response:
        actor, _roles = await plugin.roles(request, activities.ORGANISERS)
        data = await plugin.form_data(request)
        try:
            activity = await activities.post(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            return await self._index(request, values=data, errors=plugin.field_errors(error), status_code=422)
        except Conflict as error:
            return await self._index(request, values=data, errors={"starts_at": str(error.detail)}, status_code=409)
        return Redirect(f"{plugin.base(request)}/manage/activities/{activity.id}", status_code=303)

    async def _roster(self, request: Request, activity_id: int, *, values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, problem: str = "", attendance_id: int | None = None,
                      status_code: int = 200) -> Response:
        actor, roles = await plugin.roles(request, activities.ORGANISERS)
        scope = plugin.scope(request)
        found = await activities.roster(scope, actor.id, roles, activity_id)
        return plugin.template("roster.html", status_code=status_code, context={
            **await common(request), "activity": await activities.get(scope, activity_id), "roster": found,
            "values": values or {}, "errors": errors or {}, "problem": problem, "attendance_id": attendance_id})

    @get("/activities/{activity_id:int}", name="volunteer_exchange_roster")
    async def roster(self, request: Request, activity_id: FromPath[int]) -> Response:
        return await self._roster(request, activity_id)

    @get("/activities/{activity_id:int}/code", name="volunteer_exchange_code")
    async def code(self, request: Request, activity_id: FromPath[int]) -> Response:
        """The minute's codes, on the organiser's phone; the page renews itself."""
        actor, roles = await plugin.roles(request, activities.ORGANISERS)
        scope = plugin.scope(request)
        await activities.roster(scope, actor.id, roles, activity_id)  # theirs (or an admin's), else 404
        activity = await activities.get(scope, activity_id)
        moment = now()
        start = activity.starts_at - activities.CHECK_IN_EARLY
        purpose = "in" if moment < activity.starts_at + (activity.ends_at - activity.starts_at) / 2 else "out"
        purpose = request.query_params.get("purpose", purpose) if request.query_params.get("purpose") in (
            "in", "out") else purpose
        shown = activities.code(activity, purpose)
        link = f"{str(request.base_url).rstrip('/')}{plugin.base(request)}/activities/{activity.id}/check/{shown.token}"
        return plugin.template("code.html", context={
            **await common(request), "activity": activity, "purpose": purpose, "short": shown.short, "link": link,
            "qr": qr_svg(link), "open": start <= moment <= activity.ends_at + activities.CHECK_OUT_LATE})

    @post("/attendances/{attendance_id:int}/confirm", name="volunteer_exchange_confirm", status_code=303)
    async def confirm(self, request: Request, attendance_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, activities.ORGANISERS)
        row = await activities.confirm(plugin.scope(request), actor.id, roles, attendance_id)
        return Redirect(f"{plugin.base(request)}/manage/activities/{row.activity}", status_code=303)

    @post("/attendances/{attendance_id:int}/adjust", name="volunteer_exchange_adjust", status_code=303)
    async def adjust(self, request: Request, attendance_id: FromPath[int]) -> Response:
        actor, roles = await plugin.roles(request, activities.ORGANISERS)
        scope = plugin.scope(request)
        data = await plugin.form_data(request)
        try:
            await activities.adjust(scope, actor.id, roles, attendance_id, data)
        except ValidationFailed as error:
            activity_id = await activities.activity_of(scope, attendance_id)
            return await self._roster(request, activity_id, values=data, errors=plugin.field_errors(error),
                                      attendance_id=attendance_id, status_code=422)
        except Conflict as error:
            activity_id = await activities.activity_of(scope, attendance_id)
            return await self._roster(request, activity_id, problem=str(error.detail), status_code=409)
        activity_id = await activities.activity_of(scope, attendance_id)
        return Redirect(f"{plugin.base(request)}/manage/activities/{activity_id}", status_code=303)


class MerchantPages(Controller):
    path = "/merchant"
    opt = PAGE
    ROLES = frozenset({rewards.MERCHANT, "district_admin"})

    async def _page(self, request: Request, *, errors: dict[str, str] | None = None, problem: str = "",
                    verified: dict | None = None, code: str = "", status_code: int = 200) -> Response:
        await plugin.roles(request, self.ROLES)
        return plugin.template("merchant.html", status_code=status_code, context={
            **await common(request), "errors": errors or {}, "problem": problem, "verified": verified,
            "values": {"code": code}})

    @get("/", name="volunteer_exchange_merchant")
    async def index(self, request: Request) -> Response:
        return await self._page(request)

    @post("/verify", name="volunteer_exchange_verify", status_code=200)
    async def verify(self, request: Request) -> Response:
        actor, roles = await plugin.roles(request, self.ROLES)
        code = (await plugin.form_data(request)).get("code", "")
        try:
            verified = await rewards.verify(plugin.scope(request), actor.id, roles, code)
        except ValidationFailed as error:
            return await self._page(request, errors=plugin.field_errors(error), code=code, status_code=422)
        except Conflict as error:
            return await self._page(request, problem=str(error.detail), code=code, status_code=409)
        return await self._page(request, verified=verified)
