"""How an item moves: submitted → accepted (受理) or rejected → assigned → in progress →
resolved → rated and closed, or reopened within seven days → … → closed.

Every move checks the state it starts from and the revision the actor saw, locks the row,
and only then cleans what was typed (a form for a move no longer possible is a Conflict, not
a field to correct: the page shown again has no such form); it writes a timeline entry,
emits ``feedback_status_changed`` and tells the resident and the responsible party. Of two
people acting on one item at once, one wins; the other gets a Conflict (HTTP 409) and the
item is never in two states.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Sequence

from core import clock, forms
from core.config import Settings
from core.errors import Conflict, NotFound, PermissionDenied
from core.events import names, services as events
from core.feedback import parties, photos as feedback_photos, registry
from core.feedback.tables import FeedbackCategory, FeedbackItem, State, TimelineEntry
from core.forms import Form
from core.i18n import N_, Message
from core.notifications.audience import Audience
from core.notifications.services import Draft, notify, notify_many
from core.tenancy import TenantScope, json_rows, rows_from_json, typed

REOPEN_WINDOW = timedelta(days=7)
# What a private item's rating comment is sealed as (bound to the item's row).
RATING_COMMENT = "feedback_item.rating_comment"
OPEN = (State.accepted.value, State.assigned.value, State.in_progress.value, State.reopened.value)

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((State.submitted.value,), State.accepted.value),
    "reject": ((State.submitted.value,), State.rejected.value),
    "assign": ((State.submitted.value, *OPEN), State.assigned.value),
    "start": ((State.accepted.value, State.assigned.value, State.reopened.value), State.in_progress.value),
    "resolve": (OPEN, State.resolved.value),
    "rate": ((State.resolved.value,), State.closed.value),
    # A rating does not take away the seven days to reopen: a resident may rate 2 and reopen.
    "reopen": ((State.resolved.value, State.closed.value), State.reopened.value),
}

# What the resident is told, by the state the item moved to (one message each, so that each
# reader gets it whole in their own language).
NEWS = {
    State.accepted.value: N_("%(number)s was accepted."),
    State.rejected.value: N_("%(number)s was not accepted."),
    State.assigned.value: N_("%(number)s was passed to the party responsible."),
    State.in_progress.value: N_("%(number)s is being worked on."),
    State.resolved.value: N_("%(number)s was resolved. Please rate the result."),
    State.reopened.value: N_("%(number)s was reopened."),
    State.closed.value: N_("%(number)s is closed."),
    State.submitted.value: N_("%(number)s was passed on to another level."),
}

STATE_LABELS = {
    State.submitted.value: N_("Submitted"),
    State.accepted.value: N_("Accepted for handling"),
    State.rejected.value: N_("Not accepted"),
    State.assigned.value: N_("Assigned"),
    State.in_progress.value: N_("In progress"),
    State.resolved.value: N_("Resolved"),
    State.reopened.value: N_("Reopened"),
    State.closed.value: N_("Closed"),
}


def _note(value: str, *, required: bool) -> str:
    form = Form({"note": value})
    note = form.field("note", forms.text, max_length=2000, multiline=True, required=required)
    form.raise_if_invalid()
    return note or ""


async def _locked(scope: TenantScope, item_id: int, revision: int | None, action: str) -> FeedbackItem:
    item = await scope.get(FeedbackItem, item_id, for_update=True)
    if item is None:
        raise NotFound()
    if revision is not None and item.revision != revision:
        raise Conflict(Message("Someone else changed this item meanwhile. Look at it again before you act."))
    allowed, _to = TRANSITIONS[action]
    if item.state not in allowed:
        raise Conflict(Message("This cannot be done to an item that is %(state)s.",
                               {"state": Message(STATE_LABELS[item.state])}))
    return item


async def is_private(scope: TenantScope, item: FeedbackItem) -> bool:
    category = await scope.get(FeedbackCategory, item.category)
    return bool(category and category.private)


async def seal_if_private(settings: Settings | None, scope: TenantScope, item: FeedbackItem, table: str,
                          row_id: int, text: str) -> tuple[str, bool]:
    """``text`` as it is stored: sealed for the resident through the encryption service when
    the item's category is private (a database dump shows no private text); returns it and
    whether it was sealed."""
    if not text or not await is_private(scope, item):
        return text, False
    if settings is None:
        raise RuntimeError("a private item's text is sealed, which needs the settings")
    from core.protection import services as protection

    return await protection.seal(settings, scope, item.submitter, table, row_id, text), True


async def record(settings: Settings | None, scope: TenantScope, item: FeedbackItem, *, note: str = "",
                 **fields: Any) -> TimelineEntry:
    """A timeline entry of ``item``; a private item's note is sealed, bound to the entry."""
    private = bool(note) and await is_private(scope, item)
    entry = await scope.create(TimelineEntry, item=item.id, note="" if private else note, sealed=private, **fields)
    if private:  # sealed with the entry's own id, so the plain note is never written
        entry.note, _sealed = await seal_if_private(settings, scope, item, "feedback_timeline", entry.id, note)
        await scope.update(TimelineEntry, {TimelineEntry.note: entry.note}).where(TimelineEntry.id == entry.id)
    return entry


async def _move(scope: TenantScope, slug: str, item: FeedbackItem, action: str, actor_id: int | None, *,
                note: str = "", values: dict[Any, Any] | None = None, party: tuple[str, int | None] | None = None,
                tell_party: bool = False, settings: Settings | None = None) -> None:
    to = TRANSITIONS[action][1] if action in TRANSITIONS else item.state
    now = clock.now()
    changes: dict[Any, Any] = {FeedbackItem.state: to, FeedbackItem.revision: FeedbackItem.revision + 1,
                               FeedbackItem.updated_at: now, **(values or {})}
    if party is not None:
        changes[FeedbackItem.party_type], changes[FeedbackItem.party_id] = party
    await scope.update(FeedbackItem, changes).where(FeedbackItem.id == item.id)
    party_type, party_id = party or (item.party_type, item.party_id)
    await record(settings, scope, item, at=now, actor=actor_id, action=action, from_state=item.state, to_state=to,
                 party_type=party_type, party_id=party_id, note=note)
    await events.emit(scope, names.FEEDBACK_STATUS_CHANGED, {
        "feedback_id": item.id, "person_id": item.submitter, "old_status": item.state, "new_status": to,
        "action": action}, actor_id=actor_id)
    if actor_id != item.submitter:
        await notify(scope, Audience.of(item.submitter), kind="feedback_changed",
                     title=Message(NEWS.get(to, NEWS[State.submitted.value]), {"number": item.tracking_number}),
                     link=f"/t/{slug}/feedback/{item.id}")
    if tell_party:
        staff = await parties.members(scope, party_type, party_id)
        if staff:
            await notify(scope, Audience.of(*staff), kind="feedback_for_party",
                         title=Message("%(number)s is now for you to handle.", {"number": item.tracking_number}),
                         link=f"/t/{slug}/console/feedback/{item.id}")
    item.state, item.revision = to, item.revision + 1


async def accept(scope: TenantScope, slug: str, item_id: int, *, actor_id: int, revision: int) -> None:
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, revision, "accept")
        await _move(scope, slug, item, "accept", actor_id, values={FeedbackItem.accepted_at: clock.now()})


async def reject(scope: TenantScope, slug: str, item_id: int, *, actor_id: int, revision: int, reason: str,
                 settings: Settings) -> None:
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, revision, "reject")
        note = _note(reason, required=True)
        await _move(scope, slug, item, "reject", actor_id, note=note, values={FeedbackItem.closed_at: clock.now()},
                    settings=settings)


async def assign(scope: TenantScope, slug: str, item_id: int, *, actor_id: int, revision: int, party_type: str,
                 party_id: int | None, note: str = "", settings: Settings) -> None:
    if party_type not in registry.PARTY_TYPES:
        raise Conflict(Message("There is no such responsible party."))
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, revision, "assign")
        note = _note(note, required=False)
        await _move(scope, slug, item, "assign", actor_id, note=note, party=(party_type, party_id), tell_party=True,
                    settings=settings)


async def start(scope: TenantScope, slug: str, item_id: int, *, actor_id: int, revision: int) -> None:
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, revision, "start")
        await _move(scope, slug, item, "start", actor_id)


async def resolve(scope: TenantScope, slug: str, item_id: int, *, actor_id: int, revision: int, what_was_done: str,
                  settings: Settings, photos: Sequence[feedback_photos.Photo] = ()) -> None:
    """Resolved, saying what was done; ``photos`` (from ``photos.prepare``) show the result,
    stored with the resolution's timeline entry, all or none."""
    async with feedback_photos.writing(settings, scope) as files:
        item = await _locked(scope, item_id, revision, "resolve")
        note = _note(what_was_done, required=True)
        await _move(scope, slug, item, "resolve", actor_id, note=note, values={FeedbackItem.resolved_at: clock.now()},
                    settings=settings)
        if photos:
            entry = await scope.objects(TimelineEntry).where(
                TimelineEntry.item == item.id, TimelineEntry.action == "resolve").order_by(
                TimelineEntry.id, ascending=False).first()
            await files.save(item, photos, stage=feedback_photos.RESOLUTION, timeline_entry=entry.id)


async def rate(scope: TenantScope, slug: str, item_id: int, *, person_id: int, rating: Any, comment: str = "",
               settings: Settings) -> None:
    """The resident confirms the result with a rating of 1–5; the item closes."""
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, None, "rate")
        if item.submitter != person_id:
            raise PermissionDenied(Message("Only the resident who raised it rates the result."))
        form = Form({"rating": rating, "comment": comment})
        value = str(rating or "").strip()
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 5):
            form.error("rating", Message("Choose from 1 to 5 stars."))
        comment = form.field("comment", forms.text, max_length=1000, multiline=True, required=False) or ""
        form.raise_if_invalid()
        stored, _sealed = await seal_if_private(settings, scope, item, RATING_COMMENT, item.id, comment)
        await _move(scope, slug, item, "rate", person_id, note=comment, tell_party=True, settings=settings, values={
            FeedbackItem.rating: int(value), FeedbackItem.rating_comment: stored,
            FeedbackItem.closed_at: clock.now()})


def may_reopen(item: FeedbackItem) -> bool:
    """Whether the resident may still reopen the item (resolved, or rated, within seven days)."""
    return item.state in TRANSITIONS["reopen"][0] and item.resolved_at is not None and (
        clock.now() - item.resolved_at <= REOPEN_WINDOW)


async def reopen(scope: TenantScope, slug: str, item_id: int, *, person_id: int, reason: str,
                 settings: Settings) -> None:
    """The resident reopens a resolved item within seven days of its resolution, saying
    why, even after rating it; the rating is then the next resolution's to earn."""
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id, None, "reopen")
        if item.submitter != person_id:
            raise PermissionDenied(Message("Only the resident who raised it reopens it."))
        if not may_reopen(item):
            raise Conflict(Message("An item can be reopened within seven days of being resolved."))
        note = _note(reason, required=True)
        category = await scope.get(FeedbackCategory, item.category)
        await _move(scope, slug, item, "reopen", person_id, note=note, tell_party=True, settings=settings, values={
            FeedbackItem.reopened: FeedbackItem.reopened + 1, FeedbackItem.rating: None,
            FeedbackItem.closed_at: None,
            FeedbackItem.resolve_due: clock.now() + timedelta(hours=category.resolve_hours)})


# Escalation ------------------------------------------------------------------------------

ESCALATION_BATCH = 2000  # items per transaction: a sweep of a million commits step by step
_OVERDUE_COLUMNS = (FeedbackItem.id, FeedbackItem.revision, FeedbackItem.state, FeedbackItem.party_type,
                    FeedbackItem.party_id, FeedbackItem.community_id, FeedbackItem.category)


def overdue_queries(scope: TenantScope, now, limit: int):
    """The two reads of the escalation job: not accepted in time, not resolved in time, the
    longest overdue first. Each matches a partial index (open items only), so it never reads
    the whole table."""
    return [
        scope.select(FeedbackItem, *_OVERDUE_COLUMNS).where(
            FeedbackItem.state == State.submitted.value, FeedbackItem.accept_due < now).order_by(
            FeedbackItem.accept_due).limit(limit),
        scope.select(FeedbackItem, *_OVERDUE_COLUMNS).where(
            FeedbackItem.state.is_in(list(OPEN)), FeedbackItem.resolve_due < now).order_by(
            FeedbackItem.resolve_due).limit(limit),
    ]


async def escalate_overdue(scope: TenantScope, slug: str, *, batch: int | None = None) -> int:
    """Move every item past its deadline one level up (grid → community → street → district
    supervision), with a fresh deadline there; at the top only the deadline moves. Returns
    how many moved up. Idempotent (the deadline moves with it).

    The work is done in sets, ``batch`` items per write transaction: one read of overdue items,
    one UPDATE of those still overdue and unchanged since (so an item a member of staff
    accepted or resolved meanwhile stays where it is), then their timeline entries, events and
    notifications, each in one statement (``batch``: ESCALATION_BATCH)."""
    batch = batch or ESCALATION_BATCH
    sweep = _Sweep(scope, slug, clock.now())
    moved = 0
    while True:
        submitted, unresolved = overdue_queries(scope, sweep.now, batch)
        waiting = await submitted
        if len(waiting) < batch:
            waiting += await unresolved.limit(batch - len(waiting))
        if not waiting:
            break
        written, climbed = await sweep.escalate(waiting)
        moved += climbed
        if len(waiting) < batch or not written:
            # All that was overdue was read; or none of it could be written (each changed
            # meanwhile), and what is still overdue waits for the next run.
            break
    return moved


# Each item's row of values: its id, the revision it was read at and its fresh deadline.
_ITEM_COLUMNS = {"item": "integer", "seen": "integer", "due": "timestamptz"}
# What the job's reads asked, asked again as it writes (two parameters: now, now).
_STILL_OVERDUE = (f"((state = '{State.submitted.value}' AND accept_due < {{}}) OR "
                  f"(state IN ({', '.join(repr(s) for s in OPEN)}) AND resolve_due < {{}}))")
# Both UPDATEs of a batch: the fresh deadline (``v.due``) is the one the item's state runs on,
# and only an item read at this revision and still overdue is written.
_NEW_DEADLINE = (f"accept_due = CASE WHEN state = '{State.submitted.value}' THEN v.due ELSE accept_due END, "
                 f"resolve_due = CASE WHEN state = '{State.submitted.value}' THEN resolve_due ELSE v.due END")
_UNCHANGED_AND_OVERDUE = ("WHERE feedback_item.tenant_id = {tenant} AND feedback_item.id = v.item AND "
                          f"revision = v.seen AND {_STILL_OVERDUE}")


class _Sweep:
    """One run of :func:`escalate_overdue`: what it learnt of the district's parties, their
    staff and the categories' deadlines, kept from batch to batch."""

    def __init__(self, scope: TenantScope, slug: str, now) -> None:
        self.scope, self.slug, self.now = scope, slug, now
        self.upper: dict[parties.Place, tuple[str, int | None] | None] = {}
        self.staff: dict[tuple[str, int | None], list[int]] = {}
        self.hours: dict[int, tuple[int, int]] = {}

    async def escalate(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Escalate ``rows`` (read by :func:`overdue_queries`) in one transaction; returns how
        many were written and how many of those moved up."""
        scope, now = self.scope, self.now
        places = {(r["party_type"], r["party_id"], r["community_id"]) for r in rows} - self.upper.keys()
        if places:
            self.upper.update(await parties.next_up_of(scope, places))
        if {r["category"] for r in rows} - self.hours.keys():
            self.hours = {c["id"]: (c["accept_hours"], c["resolve_hours"]) for c in await scope.select(
                FeedbackCategory, FeedbackCategory.id, FeedbackCategory.accept_hours, FeedbackCategory.resolve_hours)}
        climbing, topped = [], []
        for r in sorted(rows, key=lambda r: r["id"]):  # the UPDATE locks them in this order, as another run would
            accept_hours, resolve_hours = self.hours[r["category"]]
            due = now + timedelta(hours=accept_hours if r["state"] == State.submitted.value else resolve_hours)
            upper = self.upper[r["party_type"], r["party_id"], r["community_id"]]
            if upper is None:  # at the top: the deadline moves, supervision keeps it
                topped.append({"item": r["id"], "seen": r["revision"], "due": due})
            else:
                climbing.append({"item": r["id"], "seen": r["revision"], "due": due, "to_type": upper[0],
                                 "to_id": upper[1]})
        moment = clock.now()  # of the moves (the deadlines count from the run's start, as they are read)
        async with scope.transaction(write=True):
            kept = await self._move_deadlines(topped) if topped else []
            moved = await self._climb(climbing, moment) if climbing else []
            if moved:
                await self._tell(moved, moment)
        return len(kept) + len(moved), len(moved)

    async def _move_deadlines(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return await self.scope.raw(
            FeedbackItem,
            "UPDATE feedback_item SET "
            f"{_NEW_DEADLINE} "
            f"FROM {rows_from_json(_ITEM_COLUMNS)} {_UNCHANGED_AND_OVERDUE} RETURNING id",
            json_rows(rows), self.now, self.now)

    async def _climb(self, rows: list[dict[str, Any]], moment) -> list[dict[str, Any]]:
        return await self.scope.raw(
            FeedbackItem,
            "UPDATE feedback_item SET party_type = v.to_type, party_id = v.to_id, "
            "escalation_level = escalation_level + 1, revision = revision + 1, updated_at = {}, "
            f"{_NEW_DEADLINE} "
            f"FROM {rows_from_json({**_ITEM_COLUMNS, 'to_type': 'text', 'to_id': 'integer'})} "
            f"{_UNCHANGED_AND_OVERDUE} RETURNING id, state, submitter, tracking_number, party_type, party_id",
            moment, json_rows(rows), self.now, self.now)

    async def _tell(self, moved: list[dict[str, Any]], moment) -> None:
        """What :func:`_move` writes for each item that moved up, in one statement each: its
        timeline entry, its event, and the notifications of its submitter and its new party."""
        scope, slug = self.scope, self.slug
        moved = sorted(moved, key=lambda r: r["id"])
        await scope.raw(
            TimelineEntry,
            "INSERT INTO feedback_timeline (tenant_id, item, at, actor, action, from_state, to_state, party_type, "
            f"party_id, note, sealed) SELECT {{tenant}}, v.id, {typed('timestamptz')}, NULL, 'escalate', v.state, "
            f"v.state, v.party_type, v.party_id, '', false FROM "
            f"{rows_from_json({'id': 'integer', 'state': 'text', 'party_type': 'text', 'party_id': 'integer'})}",
            moment, json_rows({k: r[k] for k in ("id", "state", "party_type", "party_id")} for r in moved))
        await events.emit_many(scope, names.FEEDBACK_STATUS_CHANGED, [
            {"feedback_id": r["id"], "person_id": r["submitter"], "old_status": r["state"], "new_status": r["state"],
             "action": "escalate"} for r in moved])
        new_parties = {(r["party_type"], r["party_id"]) for r in moved} - self.staff.keys()
        if new_parties:
            self.staff.update(await parties.members_of(scope, new_parties))
        drafts = []
        for r in moved:
            number = {"number": r["tracking_number"]}
            drafts.append(Draft(Audience.of(r["submitter"]), kind="feedback_changed",
                                title=Message(NEWS.get(r["state"], NEWS[State.submitted.value]), number),
                                link=f"/t/{slug}/feedback/{r['id']}"))
            staff = self.staff[r["party_type"], r["party_id"]]
            if staff:
                drafts.append(Draft(Audience.of(*staff), kind="feedback_for_party",
                                    title=Message("%(number)s is now for you to handle.", number),
                                    link=f"/t/{slug}/console/feedback/{r['id']}"))
        await notify_many(scope, drafts)
