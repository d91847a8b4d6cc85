"""The feedback loop in the open: a district's public page of anonymised items and
figures, and the figures (with their CSV) for the district's staff."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core import clock
from core.accounts import services as accounts
from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.feedback import permissions, statistics, transparency, workflow
from core.i18n import Message


class PublicFeedbackController(Controller):
    path = "/t/{slug:str}/feedback/public"
    opt = {"auth": "none"}

    @get("/", name="feedback_public")
    async def listing(self, request: Request, page: FromQuery[int] = 1) -> Template:
        tenant = request.state.tenant
        today = clock.now().astimezone(clock.CHINA).date()
        period = statistics.clean_period({"to": today.isoformat()})
        items, more = await transparency.items(tenant.scope, page=page)
        return Template("feedback/public.html", context={
            "tenant": tenant, "items": items, "page": max(1, page), "more": more, "labels": workflow.STATE_LABELS,
            "report": await statistics.report(tenant.scope, period, public=True)})

    @get("/{item_id:int}", name="feedback_public_item")
    async def detail(self, request: Request, item_id: FromPath[int]) -> Template:
        tenant = request.state.tenant
        found = await transparency.item(tenant.scope, item_id)
        if found is None:
            raise NotFound()
        item, moves = found
        return Template("feedback/public_item.html", context={
            "tenant": tenant, "item": item, "moves": moves, "labels": workflow.STATE_LABELS})


class FeedbackFiguresController(Controller):
    path = "/t/{slug:str}/console/feedback"
    opt = {"auth": "session"}

    async def _district_wide(self, request: Request) -> None:
        actor, _roles = await tenant_roles(request, CONSOLE_ROLES)
        if not permissions.is_district_wide(await accounts.places_of(request.state.tenant.scope, actor.id)):
            raise PermissionDenied(Message("The figures are for the district's own staff and administrators."))

    @get("/figures", name="console_feedback_figures")
    async def figures(self, request: Request) -> Template:
        await self._district_wide(request)
        tenant = request.state.tenant
        query = dict(request.query_params)
        try:
            period = statistics.clean_period(query)
        except ValidationFailed as error:
            return Template("console/feedback_figures.html", status_code=422, context={
                "tenant": tenant, "report": None, "values": query,
                "errors": {k: str(m) for k, m in error.errors.items()}})
        return Template("console/feedback_figures.html", context={
            "tenant": tenant, "report": await statistics.report(tenant.scope, period), "errors": {},
            "values": {"from": period.start.isoformat(), "to": period.end.isoformat()}})

    @get("/figures.csv", name="console_feedback_figures_csv")
    async def figures_csv(self, request: Request) -> Response:
        await self._district_wide(request)
        tenant = request.state.tenant
        period = statistics.clean_period(dict(request.query_params))
        report = await statistics.report(tenant.scope, period)
        name = f"feedback-{tenant.slug}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
        return Response(statistics.as_csv(report), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})
