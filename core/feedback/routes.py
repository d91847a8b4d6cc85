"""/t/{slug}/feedback: a resident raises something, follows it, rates or reopens it."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import signed_in
from core.errors import Conflict, NotFound, ValidationFailed
from core.feedback import categories, reading, services, workflow
from core.feedback.tables import FeedbackItem
from core.web.forms import echo, form_data, see_other
from tenants import organisation


class FeedbackController(Controller):
    path = "/t/{slug:str}/feedback"
    opt = {"auth": "session"}

    async def _form(self, request: Request, *, values: dict, errors: dict, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        return Template("feedback/new.html", status_code=status_code, context={
            "tenant": tenant, "values": values, "errors": errors,
            "categories": await categories.enabled(tenant.scope), "units": await organisation.units(tenant.scope)})

    @get("/", name="feedback_mine")
    async def mine(self, request: Request) -> Template:
        actor = signed_in(request)
        tenant = request.state.tenant
        return Template("feedback/mine.html", context={
            "tenant": tenant, "items": await reading.own_items(tenant.scope, actor.id),
            "labels": workflow.STATE_LABELS})

    @get("/new", name="feedback_new")
    async def new(self, request: Request) -> Template:
        signed_in(request)
        # Each form carries its own key: sent twice (a retry, the offline queue), it is one item.
        return await self._form(request, values={"idempotency_key": secrets.token_urlsafe(18)}, errors={})

    @post("/new", status_code=303)
    async def submit(self, request: Request) -> Response:
        actor = signed_in(request)
        tenant = request.state.tenant
        data = await form_data(request)
        try:
            submission = await services.clean(tenant.scope, data, person_id=actor.id)
            item, _new = await services.submit(request.app.state.settings, tenant.scope, tenant.slug, actor.id,
                                               submission, idempotency_key=data.get("idempotency_key", ""))
        except ValidationFailed as error:
            return await self._form(request, values=echo(data), status_code=422,
                                    errors={k: str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._form(request, values=echo(data), status_code=409,
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{tenant.slug}/feedback/{item.id}")

    async def _own(self, request: Request, item_id: int) -> FeedbackItem:
        actor = signed_in(request)
        item = await request.state.tenant.scope.get(FeedbackItem, item_id)
        if item is None or item.submitter != actor.id:
            raise NotFound()
        return item

    async def _page(self, request: Request, item: FeedbackItem, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        actor = signed_in(request)
        tenant = request.state.tenant
        shown = await reading.view(request.app.state.settings, tenant.scope, item, reader_id=actor.id,
                                   may_read_private=lambda reader: False)
        return Template("feedback/item.html", status_code=status_code, context={
            "tenant": tenant, "view": shown, "labels": workflow.STATE_LABELS, "values": values or {},
            "errors": errors or {}, "can_reopen": workflow.may_reopen(item)})

    @get("/{item_id:int}", name="feedback_item")
    async def show(self, request: Request, item_id: FromPath[int]) -> Template:
        return await self._page(request, await self._own(request, item_id))

    @post("/{item_id:int}/{action:str}", status_code=303)
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> Response:
        actor = signed_in(request)
        tenant = request.state.tenant
        item = await self._own(request, item_id)
        data = await form_data(request)
        try:
            if action == "rate":
                await workflow.rate(tenant.scope, tenant.slug, item_id, person_id=actor.id,
                                    rating=data.get("rating"), comment=data.get("comment", ""))
            elif action == "reopen":
                await workflow.reopen(tenant.scope, tenant.slug, item_id, person_id=actor.id,
                                      reason=data.get("reason", ""))
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, item, values=echo(data), status_code=422,
                                    errors={f"{action}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._page(request, await self._own(request, item_id), status_code=409,
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{tenant.slug}/feedback/{item_id}")
