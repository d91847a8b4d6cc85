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
from core.feedback import call_ins, permissions, photos as feedback_photos, queue, reading, workflow
from core.feedback.routes import photo_response
from core.feedback.tables import FeedbackCategory, FeedbackItem
from core.i18n import Message
from core.web.forms import echo, form_data, revision_of, see_other, uploaded_files


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
        return await self._queue_page(request, places, result=queue.BulkResult.from_query(request.query_params))

    async def _queue_page(self, request: Request, places, *, values: dict | None = None, errors: dict | None = None,
                          chosen: set[int] | None = None, result: queue.BulkResult | None = None,
                          status_code: int = 200) -> Template:
        tenant = request.state.tenant
        wanted = queue.QueueFilter.from_query(request.query_params)
        return Template("console/feedback_queue.html", status_code=status_code, context={
            "tenant": tenant, "items": await queue.items(tenant.scope, places, wanted),
            "labels": workflow.STATE_LABELS, "filters": wanted.as_query(), **await queue.choices(tenant.scope),
            "values": values or {}, "errors": errors or {}, "chosen": chosen or set(), "result": result})

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
                                             item_ids=item_ids, party=party, note=data.get("note", ""),
                                             settings=request.app.state.settings)
        except ValidationFailed as error:
            return await self._queue_page(request, places, values=echo(data), chosen=set(item_ids), status_code=422,
                                          errors={k: str(m) for k, m in error.errors.items()})
        return see_other(f"/t/{tenant.slug}/console/feedback?" + urlencode(
            {"assigned": len(result.assigned), "skipped": ",".join(result.skipped)}))

    async def _stale(self, request: Request, actor, item_id: int, places, conflict: Conflict) -> Template:
        """The item as it now is, with why the action could not be done (409)."""
        fresh = await request.state.tenant.scope.get(FeedbackItem, item_id)
        return await self._page(request, actor, fresh, places, status_code=409,
                                errors={"__all__": str(conflict.detail)})

    async def _item(self, request: Request, item_id: int):
        """The actor, the item and the actor's places, if they may see it: handle it, or answer
        a call-in on it for their department."""
        actor, places = await _staff(request)
        scope = request.state.tenant.scope
        item = await scope.get(FeedbackItem, item_id)
        if item is None:
            raise NotFound()
        category = await scope.get(FeedbackCategory, item.category)
        if not await permissions.can_see(scope, places, item, category.private):
            if category.private:
                raise NotFound()  # a private item does not exist for anyone else
            raise PermissionDenied(Message("This item is for another part of the district."))
        return actor, item, places

    async def _page(self, request: Request, actor, item: FeedbackItem, places, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        scope, settings = tenant.scope, request.app.state.settings
        private = (await scope.get(FeedbackCategory, item.category)).private
        # The party reads a private item's text, and so do the departments it called in.
        assigned = permissions.is_assigned(places, item.party_type, item.party_id) or bool(
            await permissions.called_in(scope, places, item.id))
        shown = await reading.view(settings, scope, item, reader_id=actor.id,
                                   may_read_private=lambda reader: assigned)
        handles = await permissions.can_handle(scope, places, item, private)
        choices = await queue.choices(scope)
        return Template("console/feedback_item.html", status_code=status_code, context={
            "tenant": tenant, "view": shown, "labels": workflow.STATE_LABELS, "values": values or {},
            "photos": await feedback_photos.gallery(scope, item.id),
            "errors": errors or {}, "actions": [a for a, (starts, _to) in workflow.TRANSITIONS.items()
                                                 if item.state in starts and a not in ("rate", "reopen")] if handles
            else [], "parties": choices["parties"],
            "call_ins": await call_ins.of_item(settings, scope, item, reader_id=actor.id,
                                               may_read_private=lambda reader: assigned, places=places),
            "may_call_in": item.state in workflow.OPEN and await permissions.may_call_in(scope, places, item, private),
            "departments": [{"id": p["value"].partition(":")[2], "name": p["name"]}
                            for p in choices["parties"] if p["kind"] == "department"],
            "call_in_hours": (call_ins.HOURS_DEFAULT, call_ins.HOURS_MAX)})

    @get("/{item_id:int}", name="console_feedback_item")
    async def show(self, request: Request, item_id: FromPath[int]) -> Template:
        return await self._page(request, *await self._item(request, item_id))

    @get("/{item_id:int}/photos/{photo_id:int}", name="console_feedback_photo")
    async def photo(self, request: Request, item_id: FromPath[int], photo_id: FromPath[int]) -> Response:
        """A photo of the item, for whoever sees the item; a private one opened as its description is."""
        actor, item, places = await self._item(request, item_id)
        scope = request.state.tenant.scope
        assigned = permissions.is_assigned(places, item.party_type, item.party_id) or bool(
            await permissions.called_in(scope, places, item.id))
        photo, image = await feedback_photos.read_photo(request.app.state.settings, scope, item, photo_id,
                                                        reader_id=actor.id, may_read=lambda reader: assigned)
        return photo_response(photo, image)

    @post("/{item_id:int}/{action:str}", status_code=303, request_max_body_size=feedback_photos.FORM_MAX_BYTES)
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> Response:
        actor, item, places = await self._item(request, item_id)
        tenant = request.state.tenant
        scope, slug = tenant.scope, tenant.slug
        if not await permissions.can_handle(scope, places, item, await workflow.is_private(scope, item)):
            # A department called in acts on its call-in, not on the item itself.
            raise PermissionDenied(Message("This item is for another part of the district."))
        data = await form_data(request)
        revision = revision_of(data)
        try:
            if action == "accept":
                await workflow.accept(scope, slug, item_id, actor_id=actor.id, revision=revision)
            elif action == "reject":
                await workflow.reject(scope, slug, item_id, actor_id=actor.id, revision=revision,
                                      reason=data.get("note", ""), settings=request.app.state.settings)
            elif action == "start":
                await workflow.start(scope, slug, item_id, actor_id=actor.id, revision=revision)
            elif action == "resolve":
                photos = await feedback_photos.prepare(await uploaded_files(request, "photos"))
                await workflow.resolve(scope, slug, item_id, actor_id=actor.id, revision=revision,
                                       what_was_done=data.get("note", ""), settings=request.app.state.settings,
                                       photos=photos)
            elif action == "assign":
                kind, unit = await queue.checked_party(scope, data.get("party", ""))
                await workflow.assign(scope, slug, item_id, actor_id=actor.id, revision=revision, party_type=kind,
                                      party_id=unit, note=data.get("note", ""), settings=request.app.state.settings)
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, actor, item, places, values=echo(data), status_code=422,
                                    errors={f"{action}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._stale(request, actor, item_id, places, conflict)
        return see_other(f"/t/{slug}/console/feedback/{item_id}")

    @post("/{item_id:int}/call-in", status_code=303)
    async def call_in(self, request: Request, item_id: FromPath[int]) -> Response:
        """The street office calls departments in on the item (吹哨)."""
        actor, item, places = await self._item(request, item_id)
        tenant = request.state.tenant
        form = await request.form()
        data = await form_data(request)
        chosen = [v for v in form.getall("departments") if isinstance(v, str)] if "departments" in form else []
        try:
            call = await call_ins.clean(tenant.scope, data, chosen)
            await call_ins.call_in(request.app.state.settings, tenant.scope, tenant.slug, item_id, actor_id=actor.id,
                                   places=places, revision=revision_of(data), call=call)
        except ValidationFailed as error:
            values = {"departments": chosen, "hours": data.get("hours", ""), "call_in_note": data.get("note", "")}
            return await self._page(request, actor, item, places, values=values, status_code=422,
                                    errors={f"call_in.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._stale(request, actor, item_id, places, conflict)
        return see_other(f"/t/{tenant.slug}/console/feedback/{item_id}")

    @post("/{item_id:int}/call-ins/{call_in_id:int}/{step:str}", status_code=303)
    async def answer(self, request: Request, item_id: FromPath[int], call_in_id: FromPath[int],
                     step: FromPath[str]) -> Response:
        """A department called in acknowledges (报到) or reports back."""
        actor, item, places = await self._item(request, item_id)
        tenant = request.state.tenant
        scope, slug = tenant.scope, tenant.slug
        data = await form_data(request)
        try:
            if step == "acknowledge":
                await call_ins.acknowledge(scope, slug, item_id, call_in_id, actor_id=actor.id, places=places,
                                           revision=revision_of(data))
            elif step == "report":
                await call_ins.report(request.app.state.settings, scope, slug, item_id, call_in_id,
                                      actor_id=actor.id, places=places, revision=revision_of(data),
                                      text=data.get("report", ""))
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, actor, item, places, values={**echo(data), "call_in_id": call_in_id},
                                    status_code=422,
                                    errors={f"{step}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._stale(request, actor, item_id, places, conflict)
        return see_other(f"/t/{slug}/console/feedback/{item_id}")
