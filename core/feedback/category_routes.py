"""/t/{slug}/console/feedback/categories: a district's categories, their deadlines and
first responsible party; its administrators change them and add their own."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.errors import ValidationFailed
from core.feedback import categories, registry
from core.web.forms import echo, form_data, see_other


class FeedbackCategoryController(Controller):
    path = "/t/{slug:str}/console/feedback/categories"
    opt = {"auth": "session"}

    async def _page(self, request: Request, *, values: dict | None = None, errors: dict | None = None,
                    status_code: int = 200) -> Template:
        tenant = request.state.tenant
        return Template("console/feedback_categories.html", status_code=status_code, context={
            "tenant": tenant, "categories": await categories.every(tenant.scope), "values": values or {},
            "errors": errors or {}, "parties": {kind: registry.PARTY_TYPES[kind].label
                                                for kind in categories.DEFAULT_PARTIES}})

    @get("/", name="console_feedback_categories")
    async def show(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await self._page(request)

    @post("/", status_code=303)
    async def add(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        data = await form_data(request)
        try:
            await categories.add(request.state.tenant.scope, data, actor_id=actor.id)
        except ValidationFailed as error:
            return await self._page(request, values={f"new.{k}": v for k, v in echo(data).items()},
                                    errors={f"new.{k}": str(m) for k, m in error.errors.items()}, status_code=422)
        return see_other(f"/t/{request.state.tenant.slug}/console/feedback/categories")

    @post("/{category_id:int}", status_code=303)
    async def change(self, request: Request, category_id: FromPath[int]) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        data = await form_data(request)
        try:
            await categories.change(request.state.tenant.scope, category_id, data, actor_id=actor.id)
        except ValidationFailed as error:
            key = f"c{category_id}"
            return await self._page(request, values={f"{key}.{k}": v for k, v in echo(data).items()},
                                    errors={f"{key}.{k}": str(m) for k, m in error.errors.items()}, status_code=422)
        return see_other(f"/t/{request.state.tenant.slug}/console/feedback/categories")
