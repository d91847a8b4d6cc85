"""/t/{slug}/console/feedback: the staff queue and the actions on an item."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts import services as accounts
from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.feedback import permissions, queue, reading, workflow
from core.feedback.tables import FeedbackCategory, FeedbackItem
from core.i18n import Message
from core.web.forms import echo, form_data, revision_of, see_other


async def _staff(request: Request):
    actor, _roles = await tenant_roles(request, CONSOLE_ROLES)
    places = await accounts.places_of(request.state.tenant.scope, actor.id)
    return actor, places


class ConsoleFeedbackController(Controller):
    path = "/t/{slug:str}/console/feedback"
    opt = {"auth": "session"}

    @get("/", name="console_feedback")
    async def queue(self, request: Request) -> Template:
        _actor, places = await _staff(request)
        tenant = request.state.tenant
        wanted = queue.QueueFilter.from_query(request.query_params)
        return Template("console/feedback_queue.html", context={
            "tenant": tenant, "items": await queue.items(tenant.scope, places, wanted),
            "labels": workflow.STATE_LABELS, "filters": wanted.as_query(), **await queue.choices(tenant.scope),
            "values": {}, "errors": {}, "result": queue.BulkResult.from_query(request.query_params)})

    @post("/assign", status_code=303)
    async def assign_many(self, request: Request) -> Response:
        """Assign the ticked items of the queue to one party."""
        actor, places = await _staff(request)
        tenant = request.state.tenant
        form = await request.form()
        data = await form_data(request)
        item_ids = [int(v) for v in form.getall("items") if isinstance(v, str) and v.isascii() and v.isdigit()] \
            if "items" in form else []
        try:
            party = await queue.checked_party(tenant.scope, data.get("party", ""))
            result = await queue.bulk_assign(tenant.scope, tenant.slug, places, actor_id=actor.id,
                                             item_ids=item_ids, party=party, note=data.get("note", ""))
        except ValidationFailed as error:
            wanted = queue.QueueFilter.from_query(request.query_params)
            return Template("console/feedback_queue.html", status_code=422, context={
                "tenant": tenant, "items": await queue.items(tenant.scope, places, wanted),
                "labels": workflow.STATE_LABELS, "filters": wanted.as_query(),
                **await queue.choices(tenant.scope), "values": echo(data), "chosen": set(item_ids),
                "errors": {k: str(m) for k, m in error.errors.items()}})
        return see_other(f"/t/{tenant.slug}/console/feedback?" + urlencode(
            {"assigned": len(result.assigned), "skipped": ",".join(result.skipped)}))

    async def _item(self, request: Request, item_id: int):
        """The actor, the item and the actor's places, if they may handle it."""
        actor, places = await _staff(request)
        scope = request.state.tenant.scope
        item = await scope.get(FeedbackItem, item_id)
        if item is None:
            raise NotFound()
        category = await scope.get(FeedbackCategory, item.category)
        if not await permissions.can_handle(scope, places, item, category.private):
            if category.private:
                raise NotFound()  # a private item does not exist for anyone else
            raise PermissionDenied(Message("This item is for another part of the district."))
        return actor, item, places

    async def _page(self, request: Request, actor, item: FeedbackItem, places, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        assigned = permissions.is_assigned(places, item.party_type, item.party_id)
        shown = await reading.view(request.app.state.settings, tenant.scope, item, reader_id=actor.id,
                                   may_read_private=lambda reader: assigned)
        return Template("console/feedback_item.html", status_code=status_code, context={
            "tenant": tenant, "view": shown, "labels": workflow.STATE_LABELS, "values": values or {},
            "errors": errors or {}, "actions": [a for a, (starts, _to) in workflow.TRANSITIONS.items()
                                                 if item.state in starts and a not in ("rate", "reopen")],
            "parties": (await queue.choices(tenant.scope))["parties"]})

    @get("/{item_id:int}", name="console_feedback_item")
    async def show(self, request: Request, item_id: FromPath[int]) -> Template:
        return await self._page(request, *await self._item(request, item_id))

    @post("/{item_id:int}/{action:str}", status_code=303)
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> Response:
        actor, item, places = await self._item(request, item_id)
        tenant = request.state.tenant
        scope, slug = tenant.scope, tenant.slug
        data = await form_data(request)
        revision = revision_of(data)
        try:
            if action == "accept":
                await workflow.accept(scope, slug, item_id, actor_id=actor.id, revision=revision)
            elif action == "reject":
                await workflow.reject(scope, slug, item_id, actor_id=actor.id, revision=revision,
                                      reason=data.get("note", ""))
            elif action == "start":
                await workflow.start(scope, slug, item_id, actor_id=actor.id, revision=revision)
            elif action == "resolve":
                await workflow.resolve(scope, slug, item_id, actor_id=actor.id, revision=revision,
                                       what_was_done=data.get("note", ""))
            elif action == "assign":
                kind, unit = await queue.checked_party(scope, data.get("party", ""))
                await workflow.assign(scope, slug, item_id, actor_id=actor.id, revision=revision, party_type=kind,
                                      party_id=unit, note=data.get("note", ""))
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, actor, item, places, values=echo(data), status_code=422,
                                    errors={f"{action}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            fresh = await scope.get(FeedbackItem, item_id)
            return await self._page(request, actor, fresh, places, status_code=409,
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{slug}/console/feedback/{item_id}")

