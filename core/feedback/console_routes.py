"""/t/{slug}/console/feedback: the staff queue and the actions on an item."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from core import clock
from core.accounts import services as accounts
from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.feedback import permissions, reading, workflow
from core.feedback.tables import FeedbackCategory, FeedbackItem
from core.i18n import Message
from core.web.forms import echo, form_data, revision_of, see_other
from tenants.tables import Community, Department, Grid

QUEUE_SIZE = 100


async def _staff(request: Request):
    actor, _roles = await tenant_roles(request, CONSOLE_ROLES)
    places = await accounts.places_of(request.state.tenant.scope, actor.id)
    return actor, places


async def _queue_filter(scope, places):
    """The part of the district a person's queue covers (None: all of it)."""
    if permissions.is_district_wide(places):
        return None
    console = [p for p in places if p.roles & CONSOLE_ROLES]
    grids = {p.unit_id for p in console if p.unit_kind == "grid"}
    communities = {p.unit_id for p in console if p.unit_kind == "community"}
    streets = {p.unit_id for p in console if p.unit_kind == "street"}
    if streets:
        communities |= {row["id"] for row in await scope.select(Community, Community.id).where(
            Community.street.is_in(list(streets)))}
    condition = FeedbackItem.id == -1
    if grids:
        condition |= FeedbackItem.grid_id.is_in(list(grids))
    if communities:
        condition |= FeedbackItem.community_id.is_in(list(communities))
    for place in console:
        if place.unit_kind and place.unit_id is not None:
            condition |= (FeedbackItem.party_type == place.unit_kind) & (FeedbackItem.party_id == place.unit_id)
    return condition


class ConsoleFeedbackController(Controller):
    path = "/t/{slug:str}/console/feedback"
    opt = {"auth": "session"}

    @get("/", name="console_feedback")
    async def queue(self, request: Request, wanted: Annotated[str, QueryParameter(name="state")] = "",
                    overdue: FromQuery[bool] = False) -> Template:
        _actor, places = await _staff(request)
        tenant = request.state.tenant
        scope = tenant.scope
        query = scope.select(FeedbackItem, FeedbackItem.id, FeedbackItem.tracking_number, FeedbackItem.state,
                             FeedbackItem.party_type, FeedbackItem.accept_due, FeedbackItem.resolve_due,
                             FeedbackItem.created_at, FeedbackItem.category.name, FeedbackItem.category.private,
                             FeedbackItem.party_id)
        limit = await _queue_filter(scope, places)
        if limit is not None:
            query = query.where(limit)
        if wanted in workflow.STATE_LABELS:
            query = query.where(FeedbackItem.state == wanted)
        rows = await query.order_by(FeedbackItem.id, ascending=False).limit(QUEUE_SIZE)
        now = clock.now()
        items = []
        for row in rows:
            if row["category.private"] and not permissions.is_assigned(places, row["party_type"], row["party_id"]):
                continue  # private items are their party's alone
            due = row["accept_due"] if row["state"] == "submitted" else row["resolve_due"]
            late = row["state"] in ("submitted", *workflow.OPEN) and due < now
            if overdue and not late:
                continue
            items.append({**row, "late": late})
        return Template("console/feedback_queue.html", context={
            "tenant": tenant, "items": items, "labels": workflow.STATE_LABELS, "state": wanted, "overdue": overdue})

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
            "departments": await tenant.scope.select(Department, Department.id, Department.name),
            "grids": await tenant.scope.select(Grid, Grid.id, Grid.name, Grid.community.name)})

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
                kind, _colon, unit = data.get("party", "").partition(":")
                if kind not in ("department", "grid") or not unit.isdigit():
                    raise ValidationFailed({"party": Message("Choose one of the list.")})
                table = Department if kind == "department" else Grid
                if await scope.get(table, int(unit)) is None:
                    raise ValidationFailed({"party": Message("Choose one of the list.")})
                await workflow.assign(scope, slug, item_id, actor_id=actor.id, revision=revision, party_type=kind,
                                      party_id=int(unit), note=data.get("note", ""))
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

