"""A resident's request for help, from asking to an answer.

It enters the feedback loop as an item of the private category ``legal_aid_consultation``
(core seals its description, keeps its deadlines and timeline, and tells the resident of each
step), routed to the law office serving the resident's community; the plugin keeps which
adviser it is assigned to. Only the resident and the assigned adviser read it; every read,
and every refused look, is audited.

The green channel (特殊群体绿色通道): a request flagged by the resident with a reason, or by
an adviser, goes to the front of the queue, gets the district's shorter deadlines and is
assigned at once to the adviser serving the community with the fewest open requests.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from core.sdk import (Conflict, Erased, Form, Message, NotFound, PermissionDenied, TenantScope, ValidationFailed,
                      clean_text, now)

from plugins.legal_aid import documents, guides, people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Adviser, Case, Consultation
from plugins.legal_aid.texts import GROUNDS, MATTERS

CATEGORY = "legal_aid_consultation"
REASON_TABLE = "legal_aid_consultation.green_reason"
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 4000
CLOSED = ("resolved", "closed", "rejected")


class Unreadable(Exception):
    """The reader may not read this consultation (the refusal is audited)."""


def clean(data: dict[str, str]) -> dict[str, Any]:
    """A request from the form; ValidationFailed names each field it refuses."""
    form = Form(data)
    matter = data.get("matter", "")
    if matter not in MATTERS:
        form.error("matter", Message("Choose the kind of matter."))
    description = form.field("description", clean_text, max_length=DESCRIPTION_MAX, multiline=True)
    if description and len(description) < DESCRIPTION_MIN:
        form.error("description", Message("Say in a few words what happened (at least %(least)s characters).",
                                          {"least": DESCRIPTION_MIN}))
    ground = data.get("green", "")
    if ground and ground not in GROUNDS:
        form.error("green", Message("Choose one of the list."))
    reason = form.field("green_reason", clean_text, max_length=500, multiline=True, required=False) or ""
    if ground and not reason and "green_reason" not in form.errors:
        form.error("green_reason", Message("Say briefly why the green channel applies to you."))
    form.raise_if_invalid()
    return {"matter": matter, "description": description, "green": ground, "green_reason": reason if ground else ""}


# Who handles it ---------------------------------------------------------------------------


async def _handlers(scope: TenantScope) -> list[Adviser]:
    """The active advisers who hold the adviser's role now."""
    holding = set(await plugin.holders(scope, [people.ADVISER]))
    rows = await scope.objects(Adviser).where(Adviser.active == True, Adviser.kind == "adviser")  # noqa: E712
    return [row for row in rows if row.person_id in holding]


async def pick_adviser(scope: TenantScope, community_id: int | None) -> int | None:
    """The adviser serving the community (any adviser, when none does) with the fewest open
    requests; None when the district has no adviser."""
    candidates = await _handlers(scope)
    serving = [row for row in candidates if community_id is not None and community_id in people.ids(row.communities)]
    pool = serving or candidates
    if not pool:
        return None
    open_items: dict[int, list[int]] = {}
    for row in await scope.select(Consultation, Consultation.adviser_id, Consultation.item_id).where(
            Consultation.adviser_id.is_in([row.person_id for row in pool])):
        open_items.setdefault(row["adviser_id"], []).append(row["item_id"])
    states = {item["id"]: item["state"] for item in await plugin.feedback_items(
        scope, ids=[i for items in open_items.values() for i in items], limit=100000)} if open_items else {}
    load = {row.person_id: sum(1 for i in open_items.get(row.person_id, []) if states.get(i) not in CLOSED)
            for row in pool}
    return min(pool, key=lambda row: (load[row.person_id], row.id)).person_id


async def _assign(scope: TenantScope, consultation: Consultation, adviser_id: int, *, actor_id: int | None,
                  slug: str) -> None:
    """Give the consultation to ``adviser_id`` and take it up (受理) in the loop; tells them."""
    await scope.update(Consultation, {Consultation.adviser_id: adviser_id, Consultation.assigned_at: now()}).where(
        Consultation.id == consultation.id)
    await plugin.audit(scope, "assigned", actor_id=actor_id, target=f"legal_aid_consultation:{consultation.id}",
                       adviser_id=adviser_id)
    [item] = await plugin.feedback_items(scope, ids=[consultation.item_id])
    if item["state"] == "submitted":
        await plugin.feedback_act(scope, consultation.item_id, "accept", actor_id=adviser_id)
    await plugin.notify(scope, [adviser_id], kind="assigned", urgent=bool(consultation.green),
                        title=Message("A request for legal help is assigned to you: %(number)s",
                                      {"number": item["tracking_number"]}),
                        link=f"/t/{slug}/p/legal_aid/consultations/{consultation.id}")


async def _green_deadlines(scope: TenantScope, consultation: Consultation) -> None:
    settings = await plugin.settings(scope)
    [item] = await plugin.feedback_items(scope, ids=[consultation.item_id])
    start = item["created_at"]
    accept_due = min(item["accept_due"], start + timedelta(hours=int(settings["green_accept_hours"])))
    resolve_due = min(item["resolve_due"], start + timedelta(hours=int(settings["green_resolve_hours"])))
    await plugin.feedback_deadlines(scope, consultation.item_id, accept_due=accept_due,
                                    resolve_due=max(resolve_due, accept_due))


# Asking -------------------------------------------------------------------------------------


async def ask(scope: TenantScope, slug: str, person_id: int, data: dict[str, str],
              files: list[tuple[str, str, bytes]]) -> tuple[Consultation, bool]:
    """Register a request (or find the one this form's key already made); returns it and
    whether it is new. Documents are checked before anything is written; the item, the
    request and its documents are written in one transaction, all or none."""
    values = clean(data)
    checked = documents.check(files)
    if not await _handlers(scope):
        settings = await plugin.settings(scope)
        raise Conflict(Message("No rights adviser works in the district yet. Please call the public legal service "
                               "hotline %(hotline)s.", {"hotline": settings["hotline"] or "12348"}))
    try:
        return await _register(scope, slug, person_id, data.get("idempotency_key", ""), values, checked)
    except (Conflict, ValidationFailed):
        raise
    except Exception:
        # The same form sent twice at once: the second's transaction met the first's item on
        # the key's unique index and was undone; now it finds the first's request.
        return await _register(scope, slug, person_id, data.get("idempotency_key", ""), values, checked)


async def _register(scope: TenantScope, slug: str, person_id: int, key: str, values: dict[str, Any],
                    checked: list[tuple[str, str, bytes]]) -> tuple[Consultation, bool]:
    async with scope.transaction(write=True):
        item_id, _number, _new = await plugin.submit_feedback(
            scope, slug, person_id, {"category": CATEGORY, "description": values["description"]},
            idempotency_key=key)
        standing = await scope.objects(Consultation).where(Consultation.item_id == item_id).first()
        if standing is not None:
            return standing, False
        [item] = await plugin.feedback_items(scope, ids=[item_id])
        consultation = await scope.create(
            Consultation, item_id=item_id, person_id=person_id, matter=values["matter"],
            community_id=item["community_id"], office_id=item["party_id"], green=values["green"],
            green_by=person_id if values["green"] else None, created_at=now())
        if values["green_reason"]:
            consultation.green_reason = await plugin.seal(scope, person_id, REASON_TABLE, consultation.id,
                                                          values["green_reason"])
            await scope.update(Consultation, {Consultation.green_reason: consultation.green_reason}).where(
                Consultation.id == consultation.id)
        await documents.keep(scope, consultation.id, person_id, person_id, checked)
        await plugin.audit(scope, "asked", actor_id=person_id, target=f"legal_aid_consultation:{consultation.id}",
                           matter=values["matter"], green=bool(values["green"]))
        await _route(scope, slug, consultation, item["tracking_number"])
    return await scope.get(Consultation, consultation.id), True


async def _route(scope: TenantScope, slug: str, consultation: Consultation, number: str) -> None:
    """A green-channel request is assigned at once; any other waits, and the advisers serving
    the community (every adviser, when none does) are told."""
    if consultation.green:
        await _green_deadlines(scope, consultation)
        adviser = await pick_adviser(scope, consultation.community_id)
        if adviser is not None:
            await _assign(scope, consultation, adviser, actor_id=None, slug=slug)
        return
    handlers = await _handlers(scope)
    waiting = [row.person_id for row in handlers if consultation.community_id in people.ids(row.communities)] or [
        row.person_id for row in handlers]
    await plugin.notify(scope, waiting, kind="waiting", title=Message(
        "A new request for legal help is waiting: %(number)s", {"number": number}),
        link=f"/t/{slug}/p/legal_aid/console/")


async def adopt(scope: TenantScope, item_id: int) -> Consultation | None:
    """A request that reached the category another way (the district's feedback form, an
    entry by a grid worker, Open311) becomes a request of the plugin's, of the kind "something
    else", waiting for an adviser; once only. None when it is not of the category."""
    [item] = await plugin.feedback_items(scope, ids=[item_id]) or [None]
    if item is None:
        return None
    async with scope.transaction(write=True):
        standing = await scope.objects(Consultation).where(Consultation.item_id == item_id).first()
        if standing is not None:
            return standing
        consultation = await scope.create(
            Consultation, item_id=item_id, person_id=item["submitter"], matter="other",
            community_id=item["community_id"], office_id=item["party_id"], created_at=item["created_at"])
        await _route(scope, await plugin.slug_of(scope), consultation, item["tracking_number"])
    return consultation


# Reading ------------------------------------------------------------------------------------


def reader_check(consultation: Consultation):
    """Who besides the resident reads a consultation: the adviser assigned to it now."""
    return lambda reader_id: consultation.adviser_id is not None and reader_id == consultation.adviser_id


async def get(scope: TenantScope, consultation_id: int) -> Consultation:
    found = await scope.get(Consultation, consultation_id)
    if found is None:
        raise NotFound()
    return found


async def refuse(scope: TenantScope, reader_id: int, consultation: Consultation) -> None:
    await plugin.audit(scope, "read_refused", actor_id=reader_id, target=f"legal_aid_consultation:{consultation.id}")


async def may_open(scope: TenantScope, reader_id: int, consultation: Consultation) -> bool:
    """Whether ``reader_id`` may open the consultation; a refusal is audited."""
    if reader_id == consultation.person_id or reader_check(consultation)(reader_id):
        return True
    await refuse(scope, reader_id, consultation)
    return False


async def read(scope: TenantScope, reader_id: int, consultation_id: int, language: str) -> dict[str, Any]:
    """The consultation as its resident or its adviser sees it: the item (description and
    timeline opened, audited), the guide with the materials gathered and missing, the
    documents and cases. Unreadable (audited) for anyone else."""
    consultation = await get(scope, consultation_id)
    if not await may_open(scope, reader_id, consultation):
        raise Unreadable()
    may_read = reader_check(consultation)
    item = await plugin.feedback_item(scope, consultation.item_id, reader_id=reader_id, may_read=may_read)
    guide = await guides.guide(scope, consultation.matter, language)
    gathered = set(json.loads(consultation.gathered or "[]"))
    reason = ""
    if consultation.green_reason:
        try:
            reason = await plugin.read_sealed(scope, reader_id=reader_id, person_id=consultation.person_id,
                                              table=REASON_TABLE, row_id=consultation.id,
                                              sealed=consultation.green_reason, may_read=may_read,
                                              purpose="legal_aid")
        except Erased as erased:  # kept no longer than the district keeps such reasons
            reason = str(plugin.erased_note(erased))
    adviser = await plugin.people(scope, [consultation.adviser_id]) if consultation.adviser_id else {}
    return {"consultation": consultation, "item": item, "guide": guide, "green_reason": reason,
            "gathered": [m for m in guide["materials"] if m in gathered],
            "missing": [m for m in guide["materials"] if m not in gathered],
            "documents": await documents.listed(scope, consultation.id),
            "cases": await scope.objects(Case).where(Case.consultation == consultation.id).order_by(Case.id),
            "adviser": adviser.get(consultation.adviser_id, {}).get("display_name", "")}


async def tick(scope: TenantScope, reader_id: int, consultation_id: int, data: dict[str, str], language: str) -> None:
    """The materials the resident has gathered (``material_<n>``, the guide's n-th)."""
    consultation = await get(scope, consultation_id)
    if not await may_open(scope, reader_id, consultation):
        raise Unreadable()
    materials = (await guides.guide(scope, consultation.matter, language))["materials"]
    ticked = [m for number, m in enumerate(materials) if data.get(f"material_{number}")]
    async with scope.transaction(write=True):
        await scope.update(Consultation, {Consultation.gathered: json.dumps(ticked, ensure_ascii=False)}).where(
            Consultation.id == consultation.id)


async def add_documents(scope: TenantScope, reader_id: int, consultation_id: int,
                        files: list[tuple[str, str, bytes]]) -> None:
    consultation = await get(scope, consultation_id)
    if not await may_open(scope, reader_id, consultation):
        raise Unreadable()
    checked = documents.check(files)
    if not checked:
        raise ValidationFailed({"documents": Message("Choose a file to send.")})
    async with scope.transaction(write=True):
        await documents.keep(scope, consultation.id, consultation.person_id, reader_id, checked)


async def document(scope: TenantScope, reader_id: int, consultation_id: int, document_id: int):
    consultation = await get(scope, consultation_id)
    if not await may_open(scope, reader_id, consultation):
        raise Unreadable()
    return await documents.open_document(scope, consultation.id, document_id, reader_id=reader_id,
                                         person_id=consultation.person_id, may_read=reader_check(consultation))


async def own(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """A resident's requests, newest first, with their items' states."""
    rows = await scope.objects(Consultation).where(Consultation.person_id == person_id).order_by(
        Consultation.id, ascending=False)
    items = {item["id"]: item for item in await plugin.feedback_items(scope, ids=[r.item_id for r in rows],
                                                                      limit=len(rows) or 1)}
    return [{"consultation": row, "item": items.get(row.item_id, {})} for row in rows]


# The adviser's side -------------------------------------------------------------------------


async def queue(scope: TenantScope, adviser_id: int) -> dict[str, list[dict[str, Any]]]:
    """Requests waiting for an adviser and the adviser's own open ones: green channel first,
    then the earliest deadline. Their text is not read for the list."""
    rows = await scope.objects(Consultation).where(
        (Consultation.adviser_id.is_null()) | (Consultation.adviser_id == adviser_id)).order_by(Consultation.id)
    items = {item["id"]: item for item in await plugin.feedback_items(scope, ids=[r.item_id for r in rows],
                                                                      limit=len(rows) or 1)}
    moment = now()
    waiting, mine = [], []
    for row in rows:
        item = items.get(row.item_id)
        if item is None or item["state"] in CLOSED:
            continue
        due = item["accept_due"] if item["state"] == "submitted" else item["resolve_due"]
        entry = {"consultation": row, "item": item, "due": due, "overdue": due < moment}
        (mine if row.adviser_id == adviser_id else waiting).append(entry)
    order = lambda entry: (not entry["consultation"].green, entry["due"])  # noqa: E731
    return {"waiting": sorted(waiting, key=order), "mine": sorted(mine, key=order)}


async def take(scope: TenantScope, slug: str, adviser_id: int, consultation_id: int) -> None:
    """An adviser picks a waiting request up; of two at once, one gets it."""
    async with scope.transaction(write=True):
        consultation = await scope.get(Consultation, consultation_id, for_update=True)
        if consultation is None:
            raise NotFound()
        if consultation.adviser_id == adviser_id:
            return
        if consultation.adviser_id is not None:
            raise Conflict(Message("Another adviser has already taken this request."))
        await _assign(scope, consultation, adviser_id, actor_id=adviser_id, slug=slug)


async def _assigned(scope: TenantScope, actor_id: int, consultation_id: int) -> Consultation:
    consultation = await get(scope, consultation_id)
    if consultation.adviser_id != actor_id:
        await refuse(scope, actor_id, consultation)
        raise PermissionDenied(Message("Only the adviser assigned to this request can do this."))
    return consultation


async def answer(scope: TenantScope, actor_id: int, consultation_id: int, data: dict[str, str]) -> None:
    """The adviser's answer on the timeline (sealed, the resident is told); the first one
    starts the work on it."""
    consultation = await _assigned(scope, actor_id, consultation_id)
    [item] = await plugin.feedback_items(scope, ids=[consultation.item_id])
    form = Form(data)
    note = form.field("note", clean_text, max_length=2000, multiline=True)
    form.raise_if_invalid()
    action = "start" if item["state"] in ("accepted", "assigned", "reopened") else "answer"
    await plugin.feedback_act(scope, consultation.item_id, action, actor_id=actor_id, note=note)


async def resolve(scope: TenantScope, actor_id: int, consultation_id: int, data: dict[str, str]) -> None:
    consultation = await _assigned(scope, actor_id, consultation_id)
    await plugin.feedback_act(scope, consultation.item_id, "resolve", actor_id=actor_id,
                              note=data.get("note", ""))


async def flag_green(scope: TenantScope, slug: str, actor_id: int, consultation_id: int, data: dict[str, str]) -> None:
    """An adviser puts a request in the green channel, with the ground and a reason; it gets
    the shorter deadlines and, if nobody has it yet, is assigned at once."""
    form = Form(data)
    ground = data.get("green", "")
    if ground not in GROUNDS:
        form.error("green", Message("Choose one of the list."))
    reason = form.field("green_reason", clean_text, max_length=500, multiline=True)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        consultation = await scope.get(Consultation, consultation_id, for_update=True)
        if consultation is None:
            raise NotFound()
        if consultation.adviser_id not in (None, actor_id):
            await refuse(scope, actor_id, consultation)
            raise PermissionDenied(Message("Only the adviser assigned to this request can do this."))
        sealed = await plugin.seal(scope, consultation.person_id, REASON_TABLE, consultation.id, reason)
        await scope.update(Consultation, {Consultation.green: ground, Consultation.green_by: actor_id,
                                          Consultation.green_reason: sealed}).where(Consultation.id == consultation.id)
        await plugin.audit(scope, "green_channel", actor_id=actor_id,
                           target=f"legal_aid_consultation:{consultation.id}", ground=ground)
        await _green_deadlines(scope, consultation)
        if consultation.adviser_id is None:
            adviser = await pick_adviser(scope, consultation.community_id)
            if adviser is not None:
                await _assign(scope, consultation, adviser, actor_id=actor_id, slug=slug)
