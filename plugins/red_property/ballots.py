"""Running an owners' vote: opening it, owners casting their ballot (one per owner: a
unique index), staff entering paper ballots with a note, and the tally, always computed
again from the stored ballots."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.sdk import (CHINA, Conflict, Form, Message, NotFound, PermissionDenied, TenantScope,
                      ValidationFailed, clean_text, now)

from plugins.red_property import estates, fields, votes
from plugins.red_property.handle import plugin
from plugins.red_property.tables import Ballot, Vote

LONGEST = timedelta(days=90)


async def open_vote(scope: TenantScope, actor_id: int, compound_id: int, data: dict[str, str]) -> Vote:
    """A vote in the compound: its matter, kind, period (China time) and whether ballots are
    secret; the compound must have owners registered."""
    await estates.compound(scope, compound_id)
    form = Form(data)
    matter = form.field("matter", clean_text, max_length=2000, multiline=True)
    kind = data.get("kind", "")
    if kind not in votes.KINDS:
        form.error("kind", Message("Choose the kind of matter."))
    opens_at, closes_at = fields.moment(form, "opens_at"), fields.moment(form, "closes_at")
    if opens_at and closes_at and not opens_at < closes_at <= opens_at + LONGEST:
        form.error("closes_at", Message("A vote closes after it opens, within 90 days."))
    if closes_at and closes_at <= now():
        form.error("closes_at", Message("Choose a time that has not passed."))
    form.raise_if_invalid()
    if not await estates.owner_areas(scope, compound_id):
        raise Conflict(Message("Register the compound's units and owners before a vote."))
    async with scope.transaction(write=True):
        vote = await scope.create(Vote, compound=compound_id, matter=matter, kind=kind, opens_at=opens_at,
                                  closes_at=closes_at, secret=data.get("secret") in ("1", "on"), created_by=actor_id,
                                  created_at=now())
        await plugin.audit(scope, "vote_opened", actor_id=actor_id, target=f"red_property_vote:{vote.id}", kind=kind)
    return vote


async def get(scope: TenantScope, vote_id: int) -> Vote:
    found = await scope.get(Vote, vote_id)
    if found is None:
        raise NotFound()
    return found


def is_open(vote: Vote) -> bool:
    return vote.opens_at <= now() < vote.closes_at


def _choice(data: dict[str, str]) -> str:
    choice = data.get("choice", "")
    if choice not in votes.CHOICES:
        raise ValidationFailed({"choice": Message("Choose agree, disagree or abstain.")})
    return choice


async def _record(scope: TenantScope, vote: Vote, key: str, choice: str, *, cast_by: int, paper: bool,
                  note: str = "") -> Ballot:
    async with scope.transaction(write=True):
        if await scope.exists(Ballot).where(Ballot.vote == vote.id, Ballot.owner_key == key):
            raise Conflict(Message("This owner has already voted. A ballot cannot be changed."))
        try:
            ballot = await scope.create(Ballot, vote=vote.id, owner_key=key, choice=choice, cast_by=cast_by,
                                        paper=paper, note=note, cast_at=now())
        except Exception as error:  # the same owner at the same moment: the unique index keeps one
            raise Conflict(Message("This owner has already voted. A ballot cannot be changed.")) from error
        await plugin.audit(scope, "ballot_cast", actor_id=cast_by, target=f"red_property_vote:{vote.id}",
                           paper=paper)
    return ballot


async def cast(scope: TenantScope, person_id: int, vote_id: int, data: dict[str, str]) -> Ballot:
    """An owner's ballot, within the vote's period, once. Who may vote, whether the vote is
    open and whether this owner has voted are checked before the choice: the page shows no
    ballot form to those it refuses."""
    vote = await get(scope, vote_id)
    keys = await estates.keys_of(scope, vote.compound, person_id)
    if not keys:
        raise PermissionDenied(Message("Only the owners of this compound vote."))
    if not is_open(vote):
        raise Conflict(Message("This vote is not open: it ran from %(opens)s to %(closes)s.", {
            "opens": vote.opens_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            "closes": vote.closes_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}))
    if await scope.exists(Ballot).where(Ballot.vote == vote.id, Ballot.owner_key == keys[0]):
        raise Conflict(Message("This owner has already voted. A ballot cannot be changed."))
    return await _record(scope, vote, keys[0], _choice(data), cast_by=person_id, paper=False)


async def enter_paper(scope: TenantScope, actor_id: int, vote_id: int, data: dict[str, str]) -> Ballot:
    """A paper ballot entered by staff for an owner of the compound, with a note."""
    vote = await get(scope, vote_id)
    form = Form(data)
    areas = await estates.owner_areas(scope, vote.compound)
    key = data.get("owner_key", "")
    if key not in areas:
        form.error("owner_key", Message("Choose one of the compound's owners."))
    note = form.field("note", clean_text, max_length=500, multiline=True)
    try:
        choice = _choice(data)
    except ValidationFailed as error:
        form.error("choice", error.errors["choice"])
        choice = ""
    form.raise_if_invalid()
    if not is_open(vote):
        raise Conflict(Message("This vote is not open: it ran from %(opens)s to %(closes)s.", {
            "opens": vote.opens_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            "closes": vote.closes_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}))
    return await _record(scope, vote, key, choice, cast_by=actor_id, paper=True, note=note)


async def tally(scope: TenantScope, vote_id: int) -> tuple[Vote, votes.Tally]:
    """The vote and its count from the stored ballots (the same every time it is made)."""
    vote = await get(scope, vote_id)
    areas = await estates.owner_areas(scope, vote.compound)
    ballots = {row["owner_key"]: row["choice"] for row in await scope.select(
        Ballot, Ballot.owner_key, Ballot.choice).where(Ballot.vote == vote.id)}
    return vote, votes.count(vote.kind, areas, ballots)


async def of_compound(scope: TenantScope, compound_id: int) -> list[Vote]:
    return await scope.objects(Vote).where(Vote.compound == compound_id).order_by(Vote.id, ascending=False)


async def owners_list(scope: TenantScope, compound_id: int) -> list[tuple[str, str]]:
    """The compound's owners as staff choose one for a paper ballot: (key, label)."""
    areas = await estates.owner_areas(scope, compound_id)
    names: dict[str, str] = {}
    for unit in await estates.units_of(scope, compound_id):
        key = votes.owner_key(unit["developer_held"], unit["owners"][0] if unit["owners"] else None, unit["id"])
        names.setdefault(key, unit["owners"][0]["name"] if unit["owners"] and key != votes.DEVELOPER else key)
    return [(key, f"{names.get(key, key)} · {estates.m2(area)} m²") for key, area in sorted(areas.items())]


async def my_ballot(scope: TenantScope, person_id: int, vote: Vote) -> dict[str, Any] | None:
    keys = await estates.keys_of(scope, vote.compound, person_id)
    if not keys:
        return None
    return await scope.select(Ballot, Ballot.choice, Ballot.cast_at).where(
        Ballot.vote == vote.id, Ballot.owner_key == keys[0]).first()


