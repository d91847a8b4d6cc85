"""Repairs (报修), emergency repairs and complaints about the firm: feedback items of the
plugin's categories, routed to the firm serving the owner's compound, with the loop's
timeline, deadlines, escalation (to the community) and rating. An emergency (water, gas,
someone trapped in a lift) has a deadline of hours and tells every member of the firm's
staff on duty (or, with nobody on duty, all of its staff) at once, on every channel. The firm's staff work the items on the plugin's pages."""

from __future__ import annotations

import uuid
from typing import Any

from core.sdk import N_, Form, Message, NotFound, TenantScope, ValidationFailed, clean_text

from plugins.red_property import estates
from plugins.red_property.firms import FIRM_STAFF, on_duty
from plugins.red_property.handle import plugin
from plugins.red_property.tables import Compound, Routed

KINDS = {
    "red_property_repair": N_("Repair"),
    "red_property_emergency": N_("Emergency repair (water, gas, someone trapped in a lift)"),
    "red_property_complaint": N_("Complaint about the property firm"),
}
# What the firm's queue holds: these, and the action items joint meetings give the firm.
QUEUED = {**KINDS, "red_property_action": N_("Joint meeting action")}
EMERGENCY = "red_property_emergency"
FIRM = "red_property_firm"


async def route(scope: TenantScope, person_id: int, community_id: int | None, address: str
                ) -> tuple[str, int] | None:
    """The firm serving the compound of the person's home the item is about (the compound
    named in its address, in its community); None leaves it with the community."""
    homes = await estates.homes_of(scope, person_id)
    compounds = {c.id: c for c in await estates.compounds(scope)}
    candidates = [compounds[home["compound"]] for home in homes if home["compound"] in compounds]
    chosen = [c for c in candidates if c.name and c.name in (address or "")] or \
        [c for c in candidates if c.community_id == community_id] or candidates
    for compound in chosen:
        if compound.firm is not None:
            return FIRM, compound.firm
    return None


async def report(scope: TenantScope, slug: str, person_id: int, data: dict[str, str]) -> int:
    """An owner reports a repair, an emergency or a complaint about one of their homes;
    returns the feedback item's id (the same key twice: the same item)."""
    form = Form(data)
    kind = data.get("kind", "")
    if kind not in KINDS:
        form.error("kind", Message("Choose what you are reporting."))
    homes = {str(home["unit"]): home for home in await estates.homes_of(scope, person_id)}
    home = homes.get(data.get("unit", ""))
    if home is None:
        form.error("unit", Message("Choose one of your homes."))
    description = form.field("description", clean_text, max_length=2000, multiline=True)
    form.raise_if_invalid()
    compound = await scope.get(Compound, home["compound"])
    item_id, _number, _new = await plugin.submit_feedback(scope, slug, person_id, {
        "category": kind, "description": description, "community": str(compound.community_id),
        "address": f"{compound.name} {home['building']} {home['number']}"},
        idempotency_key=data.get("idempotency_key") or uuid.uuid4().hex)
    return item_id


async def tell_firm(scope: TenantScope, item_id: int, category: str) -> None:
    """The firm's staff learn of a new item; of an emergency urgently, on every channel: those
    on duty, or the whole staff when nobody is."""
    [item] = await plugin.feedback_items(scope, ids=[item_id]) or [None]
    if item is None or item["party_type"] != FIRM:
        return
    await remember_routing(scope, item, category)
    emergency = category == EMERGENCY
    staff = await plugin.unit_members(scope, FIRM, item["party_id"], [FIRM_STAFF])
    if emergency:
        staff = await on_duty(scope, item["party_id"]) or staff
    slug = await plugin.slug_of(scope)
    title = (Message("Emergency repair %(number)s: go at once", {"number": item["tracking_number"]}) if emergency
             else Message("New for your firm: %(number)s", {"number": item["tracking_number"]}))
    await plugin.notify(scope, staff, kind="emergency" if emergency else "new_item", title=title, urgent=emergency,
                        link=f"/t/{slug}/p/red_property/firm/items/{item_id}")


async def remember_routing(scope: TenantScope, item: dict[str, Any], category: str) -> None:
    """Keep the firm an item was given to and its deadline then (once per item), which the
    rating measures even after the item climbs to the community."""
    async with scope.transaction(write=True):
        if await scope.exists(Routed).where(Routed.feedback_id == item["id"]):
            return
        await scope.create(Routed, feedback_id=item["id"], firm=item["party_id"], category=category,
                           resolve_due=item["resolve_due"], created_at=item["created_at"])


async def routed_to(scope: TenantScope, firm_id: int, start, end) -> list[dict[str, Any]]:
    """The items given to the firm that were made between ``start`` and ``end``, each with its
    first deadline (``first_due``) and its state now."""
    rows = await scope.select(Routed).where(Routed.firm == firm_id, Routed.created_at >= start,
                                            Routed.created_at < end)
    now_ = {row["id"]: row for row in await plugin.feedback_items(
        scope, ids=[row["feedback_id"] for row in rows], limit=len(rows) or 1)}
    return [{**now_[row["feedback_id"]], "kind": row["category"], "first_due": row["resolve_due"]}
            for row in rows if row["feedback_id"] in now_]


async def firm_of(places) -> int | None:
    """The firm whose staff the signed-in person is (None: no firm)."""
    for place in places:
        if place.unit_kind == FIRM and FIRM_STAFF in place.roles:
            return place.unit_id
    return None


async def queue(scope: TenantScope, firm_id: int) -> list[dict[str, Any]]:
    """The firm's open items, emergencies first, then by deadline."""
    mine = []
    for category in QUEUED:
        for row in await plugin.feedback_items(scope, category=category, limit=500):
            if row["state"] not in ("resolved", "closed", "rejected") and (row["party_type"], row["party_id"]) == (
                    FIRM, firm_id):
                mine.append({**row, "kind": category, "emergency": category == EMERGENCY,
                             "due": row["accept_due"] if row["state"] == "submitted" else row["resolve_due"]})
    return sorted(mine, key=lambda row: (not row["emergency"], row["due"]))


async def item(scope: TenantScope, firm_id: int, actor_id: int, item_id: int) -> dict[str, Any]:
    """One of the firm's items (NotFound for another firm's or another plugin's)."""
    found = await plugin.feedback_item(scope, item_id, reader_id=actor_id, may_read=lambda _reader: True)
    if (found["party_type"], found["party_id"]) != (FIRM, firm_id):
        raise NotFound()
    return found


async def act(scope: TenantScope, firm_id: int, actor_id: int, item_id: int, action: str, data: dict[str, str]) -> None:
    """The firm's staff take an item up, start on it, or resolve it saying what was done."""
    if action not in ("accept", "start", "resolve"):
        raise NotFound()
    found = await item(scope, firm_id, actor_id, item_id)
    revision = int(data["revision"]) if data.get("revision", "").isdigit() else found["revision"]
    try:
        await plugin.feedback_act(scope, item_id, action, actor_id=actor_id, note=data.get("note", ""),
                                  revision=revision)
    except ValidationFailed as error:
        raise ValidationFailed({"note": error.errors.get("note", Message("Say what was done."))}) from None

