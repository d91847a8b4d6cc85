"""/api/v1/t/{slug}/feedback: raising and following feedback, and acting on it, with a token.

A resident's person token submits items (one per ``Idempotency-Key``), reads their own with
the timeline, rates and reopens them. A staff member's person token reads the queue of the
part of the district they serve and moves the items they may handle; a stale revision or a
move the item's state does not allow answers 409. Every error is problem-details JSON; bad
fields answer 422 naming each field. A private item does not exist (404) for anyone but its
submitter and the party it is assigned to. A client key has no person, so it is refused
here. Authenticated by token only, so no CSRF token is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import SerializationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, FromQuery, HeaderParameter, QueryParameter

from core.accounts import credentials, services as accounts
from core.accounts.roles import CONSOLE_ROLES
from core.errors import GongzhiError, NotFound, PermissionDenied, ValidationFailed
from core.feedback import permissions, queue, reading, services, workflow
from core.feedback.tables import FeedbackCategory, FeedbackItem
from core.i18n import Message
from core.web.problems import problem_responses

READ = "feedback:read"
WRITE = "feedback:write"
STAFF_ACTIONS = ("accept", "reject", "assign", "start", "resolve")


# What the routes answer -------------------------------------------------------------------


@dataclass
class FeedbackParty:
    type: str
    id: int | None


@dataclass
class FeedbackTimelineEntry:
    at: datetime
    action: str
    from_state: str
    to_state: str
    party: FeedbackParty
    note: str


@dataclass
class FeedbackItemOut:
    id: int
    tracking_number: str
    category: int
    category_name: str
    private: bool
    description: str
    state: str
    state_label: str
    community: int | None
    grid: int | None
    address: str
    latitude: float | None
    longitude: float | None
    public: bool
    party: FeedbackParty
    accept_due: datetime
    resolve_due: datetime
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    rating: int | None
    rating_comment: str
    reopened: int
    revision: int
    may_reopen: bool
    timeline: list[FeedbackTimelineEntry]


@dataclass
class FeedbackSummary:
    id: int
    tracking_number: str
    state: str
    state_label: str
    category_name: str
    created_at: datetime


@dataclass
class OwnFeedback:
    items: list[FeedbackSummary]


@dataclass
class FeedbackQueueEntry:
    id: int
    tracking_number: str
    state: str
    state_label: str
    category_name: str
    private: bool
    community: int | None
    party: FeedbackParty
    accept_due: datetime
    resolve_due: datetime
    created_at: datetime
    revision: int
    late: bool


@dataclass
class FeedbackQueue:
    items: list[FeedbackQueueEntry]


def _problems(*statuses: int) -> dict[int, ResponseSpec]:
    return problem_responses(
        *statuses,
        s400="The body is not a JSON object, or a parameter is of the wrong type",
        s403="The token lacks the scope, has no person, or the item is for another part of the district",
        s404="No such district, or no such item for this person (a private item is its submitter's and its "
             "party's alone)",
        s409="The item changed meanwhile (stale revision), its state does not allow this, "
             "or the Idempotency-Key was used for a different body")


def _json_body(description: str, properties: dict[str, Schema], required: tuple[str, ...] = ()) -> type[Operation]:
    """An operation whose request body is documented as this JSON object (the routes read
    the body themselves, after the token and the item are checked)."""
    body = RequestBody(description=description, required=True, content={"application/json": OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.OBJECT, properties=properties, required=list(required) or None))})

    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithBody


_TEXT = Schema(type=OpenAPIType.STRING)
_INTEGER = Schema(type=OpenAPIType.INTEGER)
_NUMBER = Schema(type=OpenAPIType.NUMBER)
_SUBMISSION = _json_body("The item to raise", {
    "category": _INTEGER, "description": Schema(type=OpenAPIType.STRING, max_length=services.DESCRIPTION_MAX),
    "community": _INTEGER, "grid": _INTEGER, "address": Schema(type=OpenAPIType.STRING, max_length=200),
    "latitude": _NUMBER, "longitude": _NUMBER, "public": Schema(type=OpenAPIType.BOOLEAN)},
    ("category", "description"))
_RATING = _json_body("The resident's rating of the result", {
    "rating": Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=5),
    "comment": Schema(type=OpenAPIType.STRING, max_length=1000)}, ("rating",))
_REOPENING = _json_body("Why the resident reopens it", {"reason": _TEXT}, ("reason",))
_STAFF_MOVE = _json_body(
    "The revision the staff member saw; a note (required to reject and to resolve: the reason, or what was "
    "done); for assign, the party as grid:3, community:2, street:1, department:4 or supervision",
    {"revision": _INTEGER, "note": _TEXT, "party": _TEXT}, ("revision",))


# Helpers -----------------------------------------------------------------------------------


async def _person(request: Request, scope: str) -> int:
    """The person of the request's token, if it may use ``scope`` here (a client key has none)."""
    credential = await credentials.authenticate(request.headers.get("authorization"),
                                                tenant_id=request.state.tenant.id, scope=scope)
    if credential.kind != "person" or credential.person_id is None:
        raise PermissionDenied(Message("Only a person's token raises, follows or handles feedback."))
    return credential.person_id


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except SerializationException:
        data = None
    if not isinstance(data, dict):
        raise GongzhiError(Message("Send a JSON object as the body."))
    return data


async def _own(request: Request, person_id: int, item_id: int) -> FeedbackItem:
    item = await request.state.tenant.scope.get(FeedbackItem, item_id)
    if item is None or item.submitter != person_id:
        raise NotFound()
    return item


def _party(party_type: str, party_id: int | None) -> FeedbackParty:
    return FeedbackParty(party_type, party_id)


def _label(state: str) -> str:
    return str(Message(workflow.STATE_LABELS.get(state, state)))


async def _out(request: Request, item: FeedbackItem, person_id: int, *, may_read_private=lambda reader: False,
               readable: bool = True) -> FeedbackItemOut:
    """The item with its timeline, as ``person_id`` may read it; not ``readable``: a private
    item's texts stay sealed and are not even tried (the item was just passed on by them)."""
    scope = request.state.tenant.scope
    if readable:
        shown = await reading.view(request.app.state.settings, scope, item, reader_id=person_id,
                                   may_read_private=may_read_private)
    else:
        sealed = Message(reading.SEALED)
        entries = await services.timeline(scope, item.id)
        for entry in entries:
            entry.note = str(sealed) if entry.sealed and entry.note else entry.note
        category = await scope.get(FeedbackCategory, item.category)
        shown = reading.ItemView(item, category, str(sealed) if category.private else item.description, entries,
                                 str(sealed) if category.private and item.rating_comment else item.rating_comment)
    return FeedbackItemOut(
        id=item.id, tracking_number=item.tracking_number, category=item.category, category_name=shown.category.name,
        private=shown.category.private, description=str(shown.description), state=item.state,
        state_label=_label(item.state), community=item.community_id, grid=item.grid_id, address=item.address,
        latitude=item.latitude, longitude=item.longitude, public=item.public,
        party=_party(item.party_type, item.party_id), accept_due=item.accept_due, resolve_due=item.resolve_due,
        created_at=item.created_at, updated_at=item.updated_at, resolved_at=item.resolved_at, rating=item.rating,
        rating_comment=str(shown.rating_comment), reopened=item.reopened, revision=item.revision,
        may_reopen=workflow.may_reopen(item),
        timeline=[FeedbackTimelineEntry(at=e.at, action=e.action, from_state=e.from_state, to_state=e.to_state,
                                   party=_party(e.party_type, e.party_id), note=str(e.note)) for e in shown.timeline])


def _revision(data: dict[str, Any]) -> int:
    value = data.get("revision")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed({"revision": Message("Send the revision of the item you saw, a whole number.")})
    return value


# The routes --------------------------------------------------------------------------------


class FeedbackApiController(Controller):
    path = "/api/v1/t/{slug:str}/feedback"
    include_in_schema = True  # the OpenAPI document describes the API, not the pages
    opt = {"auth": "token", "exclude_from_csrf": True}
    tags = ["feedback"]

    @get("/", summary="What the token's person raised, newest first", responses=_problems(400, 401, 403, 404))
    async def mine(self, request: Request) -> OwnFeedback:
        person_id = await _person(request, READ)
        rows = await reading.own_items(request.state.tenant.scope, person_id)
        return OwnFeedback([FeedbackSummary(id=row["id"], tracking_number=row["tracking_number"], state=row["state"],
                                     state_label=_label(row["state"]), category_name=row["category.name"],
                                     created_at=row["created_at"]) for row in rows])

    @post("/", status_code=201, operation_class=_SUBMISSION, responses={
        200: ResponseSpec(FeedbackItemOut, description="The item this Idempotency-Key already made",
                          generate_examples=False), **_problems(400, 401, 403, 404, 409, 422)},
          summary="Raise an item: 201 with the new item; the same Idempotency-Key and body again: 200 with it")
    async def submit(self, request: Request, idempotency_key: Annotated[str | None, HeaderParameter(
            name="Idempotency-Key", required=False,
            description="8 to 64 letters, digits, - or _; one key is one item")] = None,
                     ) -> Response[FeedbackItemOut]:
        person_id = await _person(request, WRITE)
        tenant = request.state.tenant
        data = await _body(request)
        errors = {}
        if not services.valid_key(idempotency_key or ""):
            errors["Idempotency-Key"] = Message("Send an Idempotency-Key header of 8 to 64 letters, digits, - or _.")
        try:
            submission = await services.clean(tenant.scope, data, person_id=person_id)
        except ValidationFailed as error:
            raise ValidationFailed({**errors, **error.errors}) from None
        if errors:
            raise ValidationFailed(errors)
        item, new = await services.submit(request.app.state.settings, tenant.scope, tenant.slug, person_id,
                                          submission, idempotency_key=idempotency_key or "")
        return Response(await _out(request, item, person_id), status_code=201 if new else 200)

    @get("/queue", responses=_problems(400, 401, 403, 404, 422),
         summary="The staff queue of the part of the district the token's person serves, newest first")
    async def staff_queue(self, request: Request,
                          state_: Annotated[str, QueryParameter(name="state", description="One state only")] = "",
                          category: FromQuery[str] = "", community: FromQuery[str] = "",
                          party: Annotated[str, QueryParameter(description="grid:3, department:4, supervision, …")] = "",
                          overdue: Annotated[str, QueryParameter(description="true: only items past a deadline")] = "",
                          ) -> FeedbackQueue:
        person_id = await _person(request, READ)
        scope = request.state.tenant.scope
        places = await accounts.places_of(scope, person_id)
        if not any(place.roles & CONSOLE_ROLES for place in places):
            raise PermissionDenied(Message("Only staff of the district have a queue."))
        if state_ and state_ not in workflow.STATE_LABELS:
            raise ValidationFailed({"state": Message("Choose one of the list.")})
        wanted = queue.QueueFilter.from_query({"state": state_, "category": category, "community": community,
                                               "party": party, "overdue": overdue})
        rows = await queue.items(scope, places, wanted)
        return FeedbackQueue([FeedbackQueueEntry(
            id=row["id"], tracking_number=row["tracking_number"], state=row["state"], state_label=_label(row["state"]),
            category_name=row["category.name"], private=bool(row["category.private"]), community=row["community_id"],
            party=_party(row["party_type"], row["party_id"]), accept_due=row["accept_due"],
            resolve_due=row["resolve_due"], created_at=row["created_at"], revision=row["revision"],
            late=row["late"]) for row in rows])

    @get("/{item_id:int}", responses=_problems(400, 401, 403, 404),
         summary="One item with its timeline: the submitter's own, or one the staff member may see")
    async def detail(self, request: Request, item_id: FromPath[int]) -> FeedbackItemOut:
        person_id = await _person(request, READ)
        scope = request.state.tenant.scope
        item = await scope.get(FeedbackItem, item_id)
        if item is None:
            raise NotFound()
        if item.submitter == person_id:
            return await _out(request, item, person_id)
        places = await self._staff_places(request, person_id, item, see=True)
        # The party reads a private item's text, and so do the departments it called in.
        assigned = permissions.is_assigned(places, item.party_type, item.party_id) or bool(
            await permissions.called_in(scope, places, item.id))
        return await _out(request, item, person_id, may_read_private=lambda reader: assigned)

    @post("/{item_id:int}/rate", status_code=200, operation_class=_RATING,
          responses=_problems(400, 401, 403, 404, 409, 422),
          summary="The submitter rates the result 1–5; the item closes")
    async def rate(self, request: Request, item_id: FromPath[int]) -> FeedbackItemOut:
        person_id = await _person(request, WRITE)
        tenant = request.state.tenant
        await _own(request, person_id, item_id)
        data = await _body(request)
        await workflow.rate(tenant.scope, tenant.slug, item_id, person_id=person_id, rating=data.get("rating"),
                            comment=data.get("comment") or "", settings=request.app.state.settings)
        return await _out(request, await _own(request, person_id, item_id), person_id)

    @post("/{item_id:int}/reopen", status_code=200, operation_class=_REOPENING,
          responses=_problems(400, 401, 403, 404, 409, 422),
          summary="The submitter reopens a resolved item within seven days, saying why")
    async def reopen(self, request: Request, item_id: FromPath[int]) -> FeedbackItemOut:
        person_id = await _person(request, WRITE)
        tenant = request.state.tenant
        await _own(request, person_id, item_id)
        data = await _body(request)
        try:
            await workflow.reopen(tenant.scope, tenant.slug, item_id, person_id=person_id,
                                  reason=data.get("reason") or "", settings=request.app.state.settings)
        except ValidationFailed as error:  # the reason is the workflow's note
            raise ValidationFailed({"reason" if k == "note" else k: m for k, m in error.errors.items()}) from None
        return await _out(request, await _own(request, person_id, item_id), person_id)

    @post("/{item_id:int}/{action:str}", status_code=200, operation_class=_STAFF_MOVE,
          responses=_problems(400, 401, 403, 404, 409, 422),
          summary="Staff move an item they handle: accept, reject, assign, start or resolve")
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> FeedbackItemOut:
        person_id = await _person(request, WRITE)
        tenant = request.state.tenant
        scope, slug, settings = tenant.scope, tenant.slug, request.app.state.settings
        item = await scope.get(FeedbackItem, item_id)
        if item is None or action not in STAFF_ACTIONS:
            raise NotFound()
        places = await self._staff_places(request, person_id, item, see=False)
        data = await _body(request)
        revision = _revision(data)
        note = data.get("note") or ""
        if action == "accept":
            await workflow.accept(scope, slug, item_id, actor_id=person_id, revision=revision)
        elif action == "reject":
            await workflow.reject(scope, slug, item_id, actor_id=person_id, revision=revision, reason=note,
                                  settings=settings)
        elif action == "start":
            await workflow.start(scope, slug, item_id, actor_id=person_id, revision=revision)
        elif action == "resolve":
            await workflow.resolve(scope, slug, item_id, actor_id=person_id, revision=revision, what_was_done=note,
                                   settings=settings)
        else:
            kind, unit = await queue.checked_party(scope, str(data.get("party") or ""))
            await workflow.assign(scope, slug, item_id, actor_id=person_id, revision=revision, party_type=kind,
                                  party_id=unit, note=note, settings=settings)
        fresh = await scope.get(FeedbackItem, item_id)
        if not await permissions.can_see(scope, places, fresh, await workflow.is_private(scope, fresh)):
            # Assigned to another party: what is left to show them is that it moved.
            return await _out(request, fresh, person_id, readable=False)
        assigned = permissions.is_assigned(places, fresh.party_type, fresh.party_id) or bool(
            await permissions.called_in(scope, places, fresh.id))
        return await _out(request, fresh, person_id, may_read_private=lambda reader: assigned)

    async def _staff_places(self, request: Request, person_id: int, item: FeedbackItem, *, see: bool):
        """The person's places, if they may see the item (``see``) or handle it. A private
        item does not exist for anyone but its submitter and its party."""
        scope = request.state.tenant.scope
        places = await accounts.places_of(scope, person_id)
        category = await scope.get(FeedbackCategory, item.category)
        if not await permissions.can_see(scope, places, item, category.private):
            if category.private or not any(place.roles & CONSOLE_ROLES for place in places):
                raise NotFound()
            raise PermissionDenied(Message("This item is for another part of the district."))
        if not see and not await permissions.can_handle(scope, places, item, category.private):
            # A department called in acts on its call-in, not on the item itself.
            raise PermissionDenied(Message("This item is for another part of the district."))
        return places
