"""Tripartite joint meetings (三方联席会) and their closed loop: residents raise matters (their
feedback items), the meeting discusses them (minuted notes), decides collectively (decisions),
acts jointly (action items given to one side with a deadline, each a feedback item of the
category ``red_property_action``, so the loop's timeline, deadlines and escalation follow
them), and residents evaluate each decision's outcome (owners of the compound, once each)."""

from __future__ import annotations

import contextvars
import hashlib
import uuid
from datetime import timedelta
from typing import Any

from core.sdk import (Conflict, Form, Message, N_, NotFound, PermissionDenied, TenantScope, ValidationFailed,
                      clean_text, now, whole_number)

from plugins.red_property import estates, fields, repairs
from plugins.red_property.handle import plugin
from plugins.red_property.tables import ActionItem, AgendaItem, Compound, Decision, Evaluation, Meeting

ACTION = "red_property_action"
OWNERS = {"firm": N_("The property firm"), "community": N_("The community's party organisation"),
          "owners_committee": N_("The owners' committee")}
OPEN_STATES = ("submitted", "accepted", "assigned", "in_progress", "reopened")

# Whom the action item being submitted is for: read by the feedback_party hook, which core
# calls within the submission (the same task), to give it to the firm or leave it with the
# community (the party organisation and the owners' committee work through the community).
action_owner: contextvars.ContextVar[tuple[str, int | None] | None] = contextvars.ContextVar(
    "red_property_action_owner", default=None)


def route_action() -> tuple[str, int] | None:
    owner = action_owner.get()
    if owner and owner[0] == "firm" and owner[1] is not None:
        return repairs.FIRM, owner[1]
    return None


async def schedule(scope: TenantScope, actor_id: int, compound_id: int, data: dict[str, str]) -> Meeting:
    await estates.compound(scope, compound_id)
    form = Form(data)
    held_at = fields.moment(form, "held_at")
    if held_at is None:
        form.error("held_at", Message("Give a date and time, like 2026-12-01 09:00."))
    place = form.field("place", clean_text, max_length=200, required=False)
    attendees = form.field("attendees", clean_text, max_length=2000, multiline=True, required=False)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        meeting = await scope.create(Meeting, compound=compound_id, held_at=held_at, place=place, attendees=attendees,
                                     created_by=actor_id, created_at=now())
        await plugin.audit(scope, "meeting_scheduled", actor_id=actor_id, target=f"red_property_meeting:{meeting.id}")
    return meeting


async def of_compound(scope: TenantScope, compound_id: int) -> list[Meeting]:
    return await scope.objects(Meeting).where(Meeting.compound == compound_id).order_by(Meeting.held_at,
                                                                                       ascending=False)


async def get(scope: TenantScope, meeting_id: int) -> Meeting:
    found = await scope.get(Meeting, meeting_id)
    if found is None:
        raise NotFound()
    return found


async def residents_matters(scope: TenantScope, meeting: Meeting) -> list[dict[str, Any]]:
    """What residents raised that the meeting may take up: open feedback items of the
    compound's community (repairs and complaints about the firm among them), overdue first."""
    compound = await scope.get(Compound, meeting.compound)
    taken = {row["feedback_id"] for row in await scope.select(AgendaItem, AgendaItem.feedback_id).where(
        AgendaItem.meeting == meeting.id)}
    moment = now()
    found = []
    for row in await plugin.feedback_items(scope, limit=500):
        if row["state"] not in OPEN_STATES or row["id"] in taken or row["community_id"] != compound.community_id:
            continue
        overdue = row["resolve_due"] is not None and row["resolve_due"] <= moment
        found.append({**row, "overdue": overdue})
    return sorted(found, key=lambda row: (not row["overdue"], row["created_at"]))


async def add_agenda(scope: TenantScope, actor_id: int, meeting_id: int, data: dict[str, str]) -> None:
    """A matter on the agenda: one of the residents' items (its number as the title), or a
    matter raised at the meeting."""
    meeting = await get(scope, meeting_id)
    form = Form(data)
    chosen = data.get("feedback_id", "")
    if chosen:
        matters = {str(row["id"]): row for row in await residents_matters(scope, meeting)}
        if chosen not in matters:
            raise ValidationFailed({"feedback_id": Message("Choose one of the residents' matters.")})
        title = form.field("title", clean_text, max_length=200, required=False) or matters[chosen]["tracking_number"]
        feedback_id = int(chosen)
    else:
        title = form.field("title", clean_text, max_length=200)
        feedback_id = None
    form.raise_if_invalid()
    await scope.create(AgendaItem, meeting=meeting_id, title=title, feedback_id=feedback_id)


async def save_notes(scope: TenantScope, actor_id: int, meeting_id: int, data: dict[str, str]) -> None:
    await get(scope, meeting_id)
    form = Form(data)
    notes = form.field("notes", clean_text, max_length=10_000, multiline=True)
    attendees = form.field("attendees", clean_text, max_length=2000, multiline=True, required=False)
    form.raise_if_invalid()
    await scope.update(Meeting, {Meeting.notes: notes, Meeting.attendees: attendees}).where(Meeting.id == meeting_id)


async def decide(scope: TenantScope, slug: str, actor_id: int, meeting_id: int, data: dict[str, str]) -> Decision:
    """A decision on one of the agenda's matters, with an action item for one side by a date
    (a feedback item given to the firm, or to the community), written together."""
    meeting = await get(scope, meeting_id)
    compound = await scope.get(Compound, meeting.compound)
    form = Form(data)
    agenda = {str(row["id"]) for row in await scope.select(AgendaItem, AgendaItem.id).where(
        AgendaItem.meeting == meeting_id)}
    item = data.get("agenda_item", "")
    if item not in agenda:
        form.error("agenda_item", Message("Choose the matter decided."))
    text = form.field("text", clean_text, max_length=2000, multiline=True)
    owner = data.get("owner", "")
    if owner not in OWNERS:
        form.error("owner", Message("Choose who acts on it."))
    action = form.field("action", clean_text, max_length=1000, multiline=True)
    due = fields.day(form, "due")
    if due is not None and not now() < due <= now() + timedelta(days=366):
        form.error("due", Message("Choose a day within the coming year."))
    form.raise_if_invalid()
    if owner == "firm" and compound.firm is None:
        raise ValidationFailed({"owner": Message("No firm serves this compound.")})
    label = {"firm": "物业服务企业", "community": "社区党组织", "owners_committee": "业主委员会"}[owner]
    token = action_owner.set((owner, compound.firm))
    try:
        async with scope.transaction(write=True):
            feedback_id, _number, new = await plugin.submit_feedback(scope, slug, actor_id, {
                "category": ACTION, "description": f"【{label}】{action}", "community": str(compound.community_id),
                "address": compound.name}, idempotency_key=_key(data.get("idempotency_key", "")))
            if not new:  # the same form again: the decision it made
                earlier = await scope.select(ActionItem, ActionItem.decision).where(ActionItem.feedback_id == feedback_id).first()
                return await scope.get(Decision, earlier["decision"])
            decision = await scope.create(Decision, meeting=meeting_id, agenda_item=int(item), text=text,
                                          decided_by=actor_id, decided_at=now())
            moment = now()
            await plugin.feedback_deadlines(scope, feedback_id, accept_due=min(moment + timedelta(days=1), due),
                                            resolve_due=due)
            await scope.create(ActionItem, decision=decision.id, owner=owner, feedback_id=feedback_id, due_at=due)
            await plugin.audit(scope, "meeting_decided", actor_id=actor_id, target=f"red_property_meeting:{meeting_id}")
    finally:
        action_owner.reset(token)
    return decision


def _key(given: str) -> str:
    """The feedback item's idempotency key for a decision form's key (a fresh one without)."""
    given = given.strip()
    return "rp-action-" + (hashlib.sha256(given.encode()).hexdigest()[:40] if given else uuid.uuid4().hex)


async def record(scope: TenantScope, meeting_id: int) -> dict[str, Any]:
    """The meeting's agenda, decisions (each with its action items' state and the owners'
    evaluations: how many, and the mean)."""
    meeting = await get(scope, meeting_id)
    agenda = await scope.select(AgendaItem).where(AgendaItem.meeting == meeting_id).order_by(AgendaItem.id)
    decisions = await scope.select(Decision).where(Decision.meeting == meeting_id).order_by(Decision.id)
    ids = [d["id"] for d in decisions] or [0]
    actions = await scope.select(ActionItem).where(ActionItem.decision.is_in(ids)).order_by(ActionItem.id)
    items = {row["id"]: row for row in await plugin.feedback_items(
        scope, ids=[a["feedback_id"] for a in actions], limit=len(actions) or 1)}
    evaluations = await scope.select(Evaluation, Evaluation.decision, Evaluation.score, Evaluation.person_id).where(
        Evaluation.decision.is_in(ids))
    titles = {row["id"]: row["title"] for row in agenda}
    shown = []
    for decision in decisions:
        scores = [e["score"] for e in evaluations if e["decision"] == decision["id"]]
        shown.append({**decision, "matter": titles.get(decision["agenda_item"], ""),
                      "actions": [{**a, "owner_label": Message(OWNERS[a["owner"]]), "item": items.get(a["feedback_id"])}
                                  for a in actions if a["decision"] == decision["id"]],
                      "evaluations": len(scores),
                      "mean": f"{sum(scores) / len(scores):.1f}" if scores else "",
                      "evaluated_by": {e["person_id"] for e in evaluations if e["decision"] == decision["id"]}})
    return {"meeting": meeting, "agenda": agenda, "decisions": shown}


async def is_owner_of(scope: TenantScope, person_id: int, compound_id: int) -> bool:
    return any(home["compound"] == compound_id for home in await estates.homes_of(scope, person_id))


async def for_owner(scope: TenantScope, person_id: int) -> list[Meeting]:
    """The meetings of the compounds where the person owns a home."""
    compounds = sorted({home["compound"] for home in await estates.homes_of(scope, person_id)})
    if not compounds:
        return []
    return await scope.objects(Meeting).where(Meeting.compound.is_in(compounds)).order_by(Meeting.held_at,
                                                                                        ascending=False)


async def evaluate(scope: TenantScope, person_id: int, decision_id: int, data: dict[str, str]) -> None:
    """An owner of the compound evaluates how a decision turned out, once (Conflict the second
    time, before any field is checked: the page no longer shows the form)."""
    decision = await scope.get(Decision, decision_id)
    if decision is None:
        raise NotFound()
    meeting = await get(scope, decision.meeting)
    if not await is_owner_of(scope, person_id, meeting.compound):
        raise PermissionDenied(Message("Only the compound's owners evaluate its meetings' decisions."))
    if await scope.exists(Evaluation).where(Evaluation.decision == decision_id, Evaluation.person_id == person_id):
        raise Conflict(Message("You have evaluated this decision."))
    form = Form(data)
    score = form.field("score", whole_number, low=1, high=5)
    if score is None and "score" not in form.errors:
        form.error("score", Message("Choose from 1 (badly) to 5 (well)."))
    comment = form.field("comment", clean_text, max_length=500, multiline=True, required=False)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        if await scope.exists(Evaluation).where(Evaluation.decision == decision_id, Evaluation.person_id == person_id):
            raise Conflict(Message("You have evaluated this decision."))
        try:
            await scope.create(Evaluation, decision=decision_id, person_id=person_id, score=score, comment=comment,
                               made_at=now())
        except Exception as error:  # the same owner at the same moment: the unique index keeps one
            raise Conflict(Message("You have evaluated this decision.")) from error


async def meeting_of_decision(scope: TenantScope, decision_id: int) -> int:
    decision = await scope.get(Decision, decision_id)
    if decision is None:
        raise NotFound()
    return decision.meeting
