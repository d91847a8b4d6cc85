"""Calling departments in on an item (吹哨报到).

The street office of the item's community (or a district admin) calls one or more of the
district's departments in on an item being handled, giving them a time to acknowledge. Each
department acknowledges (报到) — after its deadline too, which is recorded as late — and then
reports back what it did. A department is not called in twice on one item while it has not
reported back.

Every step locks the item and checks the revision the actor saw, as the workflow does; writes
a timeline entry the resident sees (the item's state stays; the entry's action says what
happened, its party is the department); emits ``feedback_status_changed`` with that action;
and tells those concerned. A private item's note and report are sealed like its other text.
The escalation job tells district supervision, once, of a call-in not acknowledged in time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core import clock, forms
from core.accounts.services import Place
from core.config import Settings
from core.errors import Conflict, NotFound, PermissionDenied
from core.events import names, services as events
from core.feedback import parties, permissions, reading, workflow
from core.feedback.tables import CallIn, FeedbackItem
from core.forms import Form
from core.i18n import Message
from core.notifications.audience import Audience
from core.notifications.services import notify
from core.tenancy import TenantScope
from tenants.tables import Department

HOURS_DEFAULT = 24
HOURS_MAX = 7 * 24
TEXT_MAX = 2000
# The timeline actions of a call-in; the item's state does not change with them.
ACTIONS = ("call_in", "acknowledge", "report", "call_in_late")
REPORT = "feedback_call_in"  # what a private item's report is sealed as (bound to the call-in's row)


@dataclass(frozen=True)
class Call:
    """What the street office asks: which departments, how long they have to acknowledge, and a note."""

    department_ids: list[int]
    hours: int
    note: str


def _hours(value: Any) -> int:
    text = "" if value is None else str(value).strip()
    if not text:
        return HOURS_DEFAULT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= HOURS_MAX:
        raise forms.FieldError(Message("Enter whole hours from %(low)s to %(high)s.", {"low": 1, "high": HOURS_MAX}))
    return int(text)


async def clean(scope: TenantScope, data: Mapping[str, Any], department_ids: Iterable[Any]) -> Call:
    """The call-in form: the ticked departments (of this district), the hours to acknowledge
    (24 unless given, 1–168) and an optional note; ValidationFailed names each bad field."""
    form = Form(data)
    chosen: list[int] = []
    for value in department_ids:
        try:
            department_id = forms.choice_id(value)
        except forms.FieldError:
            department_id = None
        if department_id is not None:
            chosen.append(department_id)
        else:
            form.error("departments", Message("Choose one of the list."))
    chosen = list(dict.fromkeys(chosen))
    if not chosen and "departments" not in form.errors:
        form.error("departments", Message("Choose at least one department."))
    elif chosen:
        found = {row["id"] for row in await scope.select(Department, Department.id).where(Department.id.is_in(chosen))}
        if found != set(chosen):
            form.error("departments", Message("Choose one of the list."))
    hours = form.field("hours", _hours)
    note = form.field("note", forms.text, max_length=TEXT_MAX, multiline=True, required=False) or ""
    form.raise_if_invalid()
    return Call(chosen, hours, note)


async def _locked(scope: TenantScope, item_id: int) -> FeedbackItem:
    item = await scope.get(FeedbackItem, item_id, for_update=True)
    if item is None:
        raise NotFound()
    return item


def _check_revision(item: FeedbackItem, revision: int | None) -> None:
    if revision is not None and item.revision != revision:
        raise Conflict(Message("Someone else changed this item meanwhile. Look at it again before you act."))


async def _touch(scope: TenantScope, item: FeedbackItem) -> None:
    """The item changed (its timeline did): a page loaded before is stale."""
    await scope.update(FeedbackItem, {FeedbackItem.revision: FeedbackItem.revision + 1,
                                      FeedbackItem.updated_at: clock.now()}).where(FeedbackItem.id == item.id)
    item.revision += 1


async def _names(scope: TenantScope, department_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(department_ids))
    if not wanted:
        return {}
    rows = await scope.select(Department, Department.id, Department.name).where(Department.id.is_in(wanted))
    return {row["id"]: row["name"] for row in rows}


async def _emit(scope: TenantScope, item: FeedbackItem, action: str, actor_id: int | None, row: CallIn) -> None:
    await events.emit(scope, names.FEEDBACK_STATUS_CHANGED, {
        "feedback_id": item.id, "person_id": item.submitter, "old_status": item.state, "new_status": item.state,
        "action": action, "call_in_id": row.id, "department_id": row.department_id}, actor_id=actor_id)


async def _entry(settings: Settings | None, scope: TenantScope, item: FeedbackItem, action: str,
                 actor_id: int | None, row: CallIn, note: str = "") -> None:
    await workflow.record(settings, scope, item, at=clock.now(), actor=actor_id, action=action,
                          from_state=item.state, to_state=item.state, party_type="department",
                          party_id=row.department_id, note=note)


async def _tell_street(scope: TenantScope, slug: str, item: FeedbackItem, row: CallIn, actor_id: int,
                       title: Message) -> None:
    """The street office that called the department in (its staff, and whoever made the call)."""
    street = await permissions.street_of(scope, item)
    staff = set(await parties.members(scope, "street", street)) if street is not None else set()
    staff = sorted((staff | {row.called_by}) - {actor_id})
    if staff:
        await notify(scope, Audience.of(*staff), kind="feedback_for_party", title=title,
                     link=f"/t/{slug}/console/feedback/{item.id}")


async def _tell_resident(scope: TenantScope, slug: str, item: FeedbackItem, title: Message) -> None:
    await notify(scope, Audience.of(item.submitter), kind="feedback_changed", title=title,
                 link=f"/t/{slug}/feedback/{item.id}")


async def call_in(settings: Settings, scope: TenantScope, slug: str, item_id: int, *, actor_id: int,
                  places: list[Place], revision: int | None, call: Call) -> list[CallIn]:
    """Call ``call.department_ids`` in on an open item (吹哨); refused whole when one of them
    is already called in on it and has not reported back."""
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id)
        private = await workflow.is_private(scope, item)
        if not await permissions.may_call_in(scope, places, item, private):
            raise PermissionDenied(Message(
                "Departments are called in by the street office of the item's community, or a district admin."))
        _check_revision(item, revision)
        if item.state not in workflow.OPEN:
            raise Conflict(Message("Departments are called in on an item being handled, not one that is %(state)s.",
                                   {"state": Message(workflow.STATE_LABELS[item.state])}))
        waiting = await scope.select(CallIn, CallIn.department_id).where(
            CallIn.item == item.id, CallIn.reported_at.is_null(), CallIn.department_id.is_in(call.department_ids))
        named = await _names(scope, call.department_ids)
        if waiting:
            twice = "、".join(named[d] for d in sorted({row["department_id"] for row in waiting}) if d in named)
            raise Conflict(Message("Already called in on this item and not yet reported back: %(departments)s.",
                                   {"departments": twice}))
        now = clock.now()
        made = []
        for department_id in call.department_ids:
            row = await scope.create(CallIn, item=item.id, department_id=department_id, called_by=actor_id,
                                     called_at=now, acknowledge_due=now + timedelta(hours=call.hours))
            made.append(row)
            await _entry(settings, scope, item, "call_in", actor_id, row, call.note)
            await _emit(scope, item, "call_in", actor_id, row)
            staff = await parties.members(scope, "department", department_id)
            if staff:
                await notify(scope, Audience.of(*staff), kind="feedback_for_party", title=Message(
                    "%(number)s: your department is called in. Please acknowledge within %(hours)s hours.",
                    {"number": item.tracking_number, "hours": call.hours}),
                    link=f"/t/{slug}/console/feedback/{item.id}")
            await _tell_resident(scope, slug, item, Message("%(department)s was called in on %(number)s.", {
                "department": named.get(department_id, ""), "number": item.tracking_number}))
        await _touch(scope, item)
    return made


async def _own_call_in(scope: TenantScope, item: FeedbackItem, call_in_id: int, places: list[Place]) -> CallIn:
    row = await scope.get(CallIn, call_in_id)
    if row is None or row.item != item.id:
        raise NotFound()
    if row.department_id not in permissions.departments_of(places):
        raise PermissionDenied(Message("Only the staff of the department called in answer the call."))
    return row


async def acknowledge(scope: TenantScope, slug: str, item_id: int, call_in_id: int, *, actor_id: int,
                      places: list[Place], revision: int | None) -> CallIn:
    """The department acknowledges the call (报到); after its deadline it is still taken, and shows as late."""
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id)
        row = await _own_call_in(scope, item, call_in_id, places)
        if row.acknowledged_at is not None:
            raise Conflict(Message("This call-in was already acknowledged."))
        _check_revision(item, revision)
        now = clock.now()
        await scope.update(CallIn, {CallIn.acknowledged_at: now, CallIn.acknowledged_by: actor_id}).where(
            CallIn.id == row.id, CallIn.acknowledged_at.is_null())
        row.acknowledged_at, row.acknowledged_by = now, actor_id
        await _entry(None, scope, item, "acknowledge", actor_id, row)
        await _emit(scope, item, "acknowledge", actor_id, row)
        department = (await _names(scope, [row.department_id])).get(row.department_id, "")
        await _tell_street(scope, slug, item, row, actor_id, Message(
            "%(department)s acknowledged %(number)s.", {"department": department, "number": item.tracking_number}))
        await _touch(scope, item)
    return row


async def report(settings: Settings, scope: TenantScope, slug: str, item_id: int, call_in_id: int, *,
                 actor_id: int, places: list[Place], revision: int | None, text: str) -> CallIn:
    """The department reports back what it did (required); once, after acknowledging."""
    form = Form({"report": text})
    text = form.field("report", forms.text, max_length=TEXT_MAX, multiline=True) or ""
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        item = await _locked(scope, item_id)
        row = await _own_call_in(scope, item, call_in_id, places)
        if row.reported_at is not None:
            raise Conflict(Message("The department already reported back on this call-in."))
        if row.acknowledged_at is None:
            raise Conflict(Message("Acknowledge the call-in before reporting back."))
        _check_revision(item, revision)
        now = clock.now()
        stored, _sealed = await workflow.seal_if_private(settings, scope, item, REPORT, row.id, text)
        await scope.update(CallIn, {CallIn.reported_at: now, CallIn.reported_by: actor_id, CallIn.report: stored}
                           ).where(CallIn.id == row.id, CallIn.reported_at.is_null())
        row.reported_at, row.reported_by, row.report = now, actor_id, stored
        await _entry(settings, scope, item, "report", actor_id, row, text)
        await _emit(scope, item, "report", actor_id, row)
        department = (await _names(scope, [row.department_id])).get(row.department_id, "")
        news = Message("%(department)s reported back on %(number)s.",
                       {"department": department, "number": item.tracking_number})
        await _tell_street(scope, slug, item, row, actor_id, news)
        await _tell_resident(scope, slug, item, news)
        await _touch(scope, item)
    return row


def overdue_query(scope: TenantScope, now, limit: int):
    """Call-ins not acknowledged by their deadline that supervision has not yet been told of."""
    return scope.select(CallIn, CallIn.id, CallIn.item).where(
        CallIn.acknowledged_at.is_null(), CallIn.overdue_noted_at.is_null(), CallIn.acknowledge_due < now
    ).order_by(CallIn.id).limit(limit)


async def note_overdue(scope: TenantScope, slug: str, *, limit: int = 500) -> int:
    """Tell district supervision of each call-in not acknowledged in time, and record it on the
    item's timeline; once per call-in (idempotent: ``overdue_noted_at``). Returns how many."""
    now = clock.now()
    noted = 0
    for found in await overdue_query(scope, now, limit):
        async with scope.transaction(write=True):
            item = await scope.get(FeedbackItem, found["item"], for_update=True)
            row = await scope.get(CallIn, found["id"])  # again, under the item's lock
            if item is None or row is None or row.acknowledged_at is not None or row.overdue_noted_at is not None:
                continue
            await scope.update(CallIn, {CallIn.overdue_noted_at: now}).where(
                CallIn.id == row.id, CallIn.overdue_noted_at.is_null())
            await _entry(None, scope, item, "call_in_late", None, row)
            await _emit(scope, item, "call_in_late", None, row)
            supervision = await parties.members(scope, "supervision", None)
            if supervision:
                department = (await _names(scope, [row.department_id])).get(row.department_id, "")
                await notify(scope, Audience.of(*supervision), kind="feedback_for_party", title=Message(
                    "%(department)s did not acknowledge %(number)s in time.",
                    {"department": department, "number": item.tracking_number}),
                    link=f"/t/{slug}/console/feedback/{item.id}")
            noted += 1
    return noted


@dataclass(frozen=True)
class CallInView:
    """A call-in as the item page shows it: its department, its state and the report."""

    call_in: CallIn
    department: str
    report: str | Message
    mine: bool  # the reader works in the department, so answers the call

    @property
    def state(self) -> str:
        if self.call_in.reported_at is not None:
            return "reported"
        return "acknowledged" if self.call_in.acknowledged_at is not None else "called"

    @property
    def late(self) -> bool:
        """Acknowledged after its deadline, or still not acknowledged past it."""
        row = self.call_in
        return (row.acknowledged_at or clock.now()) > row.acknowledge_due


async def of_item(settings: Settings, scope: TenantScope, item: FeedbackItem, *, reader_id: int,
                  may_read_private: Callable[[int], bool], places: list[Place]) -> list[CallInView]:
    """The item's call-ins, oldest first; a private item's reports opened for those who may read them."""
    rows = await scope.objects(CallIn).where(CallIn.item == item.id).order_by(CallIn.id)
    named = await _names(scope, [row.department_id for row in rows])
    private = await workflow.is_private(scope, item) if rows else False
    mine = permissions.departments_of(places)
    shown = []
    for row in rows:
        text: str | Message = row.report
        if private and row.report:
            text = await reading.unseal(settings, scope, item, reader_id=reader_id, may_read_private=may_read_private,
                                        table=REPORT, row_id=row.id, sealed=row.report)
        shown.append(CallInView(row, named.get(row.department_id, ""), text, row.department_id in mine))
    return shown
