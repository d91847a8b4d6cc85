"""The province's points book: an append-only, double-entry ledger (the SDK's shared ledger) on
the plugin's province-wide tables, reached only through the platform operations below.

Accounts, each of one district (``district_id``) and keyed by the province:

- ``<province>:issuance:<district>``: where the district's points come from (below zero: what
  it has issued);
- ``<province>:volunteer:<person>:<district>``: a volunteer's points earned in that district
  (never below zero); a volunteer's points are the sum over districts, and they keep them when
  they move;
- ``<province>:rewards:<district>``: points spent on the district's rewards;
- ``<province>:clearing:<district>``: points that crossed districts. A reward in district R
  bought with points earned in D moves them from the volunteer's D account to D's clearing
  account, and from R's clearing account to R's rewards, in one transaction: D's clearing
  balance is what D owes other districts, R's (below zero) what it is owed.

Every transfer moves points between two accounts of one district, so each district's accounts
sum to zero, and the province's too; :func:`check_books` proves it and names what does not.
"""

from __future__ import annotations

from typing import Any

from core.sdk import Conflict, Message, NotEnough, Transfer, now

from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.tables import Member as PointMember, PointAccount, PointTransfer, Service as PointService

ledger = plugin.ledger(PointAccount, PointTransfer)


def _key(province: str, kind: str, *parts: int) -> str:
    return ":".join([province, kind, *(str(part) for part in parts)])


async def _open(province: str, kind: str, district_id: int, person_id: int | None = None) -> str:
    parts = (person_id, district_id) if person_id is not None else (district_id,)
    key = _key(province, kind, *parts)
    await ledger.open(None, key, kind=kind, may_go_negative=kind in ("issuance", "clearing"), province=province,
                      district_id=district_id, person_id=person_id)
    return key


async def _held(province: str, person_id: int) -> dict[int, str]:
    """The volunteer's accounts in the province: {district: key}."""
    rows = await PointAccount.select(PointAccount.key, PointAccount.district_id).where(
        PointAccount.province == province, PointAccount.person_id == person_id, PointAccount.kind == "volunteer")
    return {row["district_id"]: row["key"] for row in rows}


async def _serve(kind: str, province: str, district_id: int, person_id: int, points: int, *, key: str, minutes: int,
                 memo: str, actor_id: int | None, served_on) -> Transfer | None:
    """Keep the service (its minutes, once per key) and move its points between the district's
    issuance account and the volunteer's: given when positive, taken back when negative."""
    if minutes:
        await PointService.insert(PointService(
            key=f"{kind}:{key}", province=province, district_id=district_id, person_id=person_id,
            activity=memo[:100], served_on=served_on or now(), minutes=minutes, points=points)
        ).on_conflict(action="DO NOTHING")
    if not points:
        return None
    issuance = await _open(province, "issuance", district_id)
    volunteer = await _open(province, "volunteer", district_id, person_id)
    source, target = (issuance, volunteer) if points > 0 else (volunteer, issuance)
    return await ledger.transfer(None, key=f"{kind}:{key}", source=source, target=target, amount=abs(points),
                                 kind="award" if kind == "award" else "correction", memo=memo, actor_id=actor_id,
                                 province=province, district_id=district_id)


@plugin.platform_operation("a volunteer earns points for confirmed service: the district's issuance account to "
                           "the volunteer's, and the service kept province-wide")
async def award(province: str, district_id: int, person_id: int, points: int, *, key: str, memo: str = "",
                actor_id: int | None = None, minutes: int = 0, served_on=None) -> Transfer | None:
    """The volunteer's points for service confirmed in the district (``minutes`` of the
    activity ``memo`` on ``served_on``, kept with them across districts); the same key again is
    the same award. No points (a short stay): the service is kept, no transfer made."""
    if points < 0:
        raise ValueError("an award gives points; a correction takes them back")
    return await _serve("award", province, district_id, person_id, points, key=key, minutes=minutes, memo=memo,
                        actor_id=actor_id, served_on=served_on)


@plugin.platform_operation("a later correction of confirmed service: minutes and points added or taken back")
async def correct(province: str, district_id: int, person_id: int, points: int, *, key: str, minutes: int,
                  memo: str = "", actor_id: int | None = None, served_on=None) -> Transfer | None:
    """A recorded adjustment: points added (from the district's issuance) or taken back (to it,
    :class:`NotEnough` when the volunteer has spent them), and the minutes, either way, kept with
    the volunteer's service. The same key again is the same correction."""
    return await _serve("correct", province, district_id, person_id, points, key=key, minutes=minutes, memo=memo,
                        actor_id=actor_id, served_on=served_on)


STARS = ((5, 1500), (4, 1000), (3, 600), (2, 300), (1, 100))  # hours, by China's volunteer-service record rules


def stars_for(minutes: int) -> int:
    """The star level of a volunteer's cumulative confirmed service."""
    for stars, hours in STARS:
        if minutes >= hours * 60:
            return stars
    return 0


@plugin.platform_operation("a volunteer's confirmed minutes of service in the province (their star level)",
                           write=False)
async def hours_of(province: str, person_id: int) -> int:
    rows = await PointService.select(PointService.minutes).where(PointService.province == province,
                                                                 PointService.person_id == person_id)
    return sum(row["minutes"] for row in rows)


@plugin.platform_operation("a volunteer's service in the province, activity by activity (their certificate)",
                           write=False)
async def service_of(province: str, person_id: int) -> list[dict[str, Any]]:
    return await PointService.select(PointService.district_id, PointService.activity, PointService.served_on,
                                     PointService.minutes, PointService.points).where(
        PointService.province == province, PointService.person_id == person_id).order_by(PointService.served_on)


# The exchange -------------------------------------------------------------------------


@plugin.platform_operation("a district joins its province's points exchange, as its admin agreed")
async def join(province: str, district_id: int, actor_id: int) -> None:
    await PointMember.insert(PointMember(province=province, district_id=district_id, joined_at=now(),
                                         joined_by=actor_id)).on_conflict(action="DO NOTHING")


@plugin.platform_operation("a district leaves its province's points exchange")
async def leave(province: str, district_id: int) -> None:
    await PointMember.update({PointMember.left_at: now()}).where(PointMember.district_id == district_id,
                                                                 PointMember.left_at.is_null())


@plugin.platform_operation("the districts of a province in its points exchange", write=False)
async def exchange_of(province: str) -> set[int]:
    rows = await PointMember.select(PointMember.district_id).where(PointMember.province == province,
                                                                   PointMember.left_at.is_null())
    return {row["district_id"] for row in rows}


@plugin.platform_operation("a district's monthly settlement statement: the points that crossed between it and each "
                           "other district", write=False)
async def statement(province: str, district_id: int, start, end) -> list[dict[str, int]]:
    """For each other district: the points this district's volunteers spent there
    (``we_owe``), the points theirs spent here (``owed_to_us``), and the balance, for
    redemptions made between ``start`` and ``end``."""
    rows = await PointTransfer.select(PointTransfer.key, PointTransfer.kind, PointTransfer.district_id,
                                      PointTransfer.amount).where(
        PointTransfer.province == province, PointTransfer.kind.is_in(["redeem_out", "redeem_in"]),
        PointTransfer.created_at >= start, PointTransfer.created_at < end)
    legs: dict[str, dict[str, Any]] = {}
    for row in rows:
        leg = legs.setdefault(row["key"].rsplit("/", 1)[0], {})
        leg[row["kind"]] = row
    pairs: dict[int, dict[str, int]] = {}
    for leg in legs.values():
        out, into = leg.get("redeem_out"), leg.get("redeem_in")
        if out is None or into is None:
            continue
        if out["district_id"] == district_id:
            entry = pairs.setdefault(into["district_id"], {"district_id": into["district_id"], "we_owe": 0,
                                                           "owed_to_us": 0})
            entry["we_owe"] += out["amount"]
        elif into["district_id"] == district_id:
            entry = pairs.setdefault(out["district_id"], {"district_id": out["district_id"], "we_owe": 0,
                                                          "owed_to_us": 0})
            entry["owed_to_us"] += into["amount"]
    for entry in pairs.values():
        entry["balance"] = entry["owed_to_us"] - entry["we_owe"]
    return [pairs[key] for key in sorted(pairs)]


@plugin.platform_operation("a volunteer spends points on a district's reward, earned there or, through "
                           "clearing, in the other districts of the exchange")
async def redeem(province: str, district_id: int, person_id: int, points: int, *, key: str,
                 usable: set[int] | frozenset[int], reference: str = "", memo: str = "",
                 actor_id: int | None = None) -> list[Transfer]:
    """Spend ``points`` of the volunteer's on a reward of ``district_id``: first those earned
    there, then those of the other ``usable`` districts (lowest id first), each through both
    districts' clearing accounts. All or nothing; the same key again answers the same
    transfers (marked replayed), with other figures it is refused. :class:`NotEnough` when
    the usable points fall short."""
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValueError(f"a redemption spends a positive whole number of points, not {points!r}")
    earlier = await PointTransfer.select(PointTransfer.id).where(PointTransfer.key.like(f"redeem:{key}/%")).first()
    if earlier is not None:
        return await _replayed(key, province, district_id, person_id, points)
    rewards = await _open(province, "rewards", district_id)
    here_clearing = await _open(province, "clearing", district_id)
    accounts = {d: k for d, k in (await _held(province, person_id)).items() if d == district_id or d in usable}
    clearing = {d: await _open(province, "clearing", d) for d in accounts if d != district_id}
    held = await ledger.hold(None, rewards, here_clearing, *accounts.values(), *clearing.values())
    order = sorted(accounts, key=lambda d: (d != district_id, d))
    have = sum(max(held.get(accounts[d], 0), 0) for d in order)
    if have < points:
        raise NotEnough(Message("You have %(have)s points to spend here; this needs %(needed)s.",
                                {"have": have, "needed": points}))
    moved, left = [], points
    for origin in order:
        take = min(max(held.get(accounts[origin], 0), 0), left)
        if take <= 0:
            continue
        left -= take
        common: dict[str, Any] = {"amount": take, "reference": reference, "memo": memo, "actor_id": actor_id,
                                  "province": province}
        if origin == district_id:
            moved.append(await ledger.transfer(None, key=f"redeem:{key}/{origin}", source=accounts[origin],
                                               target=rewards, kind="redeem", district_id=origin, **common))
        else:
            moved.append(await ledger.transfer(None, key=f"redeem:{key}/{origin}/out", source=accounts[origin],
                                               target=clearing[origin], kind="redeem_out", district_id=origin,
                                               **common))
            moved.append(await ledger.transfer(None, key=f"redeem:{key}/{origin}/in", source=here_clearing,
                                               target=rewards, kind="redeem_in", district_id=district_id, **common))
        if left == 0:
            break
    return moved


async def _replayed(key: str, province: str, district_id: int, person_id: int, points: int) -> list[Transfer]:
    rows = await PointTransfer.select().where(PointTransfer.key.like(f"redeem:{key}/%")).order_by(PointTransfer.id)
    names = {row["id"]: row["key"] for row in await PointAccount.select(PointAccount.id, PointAccount.key).where(
        PointAccount.id.is_in(sorted({r["source"] for r in rows} | {r["target"] for r in rows})))}
    spent = sum(row["amount"] for row in rows if row["kind"] in ("redeem", "redeem_out"))
    volunteer = f"{province}:volunteer:{person_id}:"
    if spent != points or not all(names[row["source"]].startswith(volunteer) for row in rows
                                  if row["kind"] in ("redeem", "redeem_out")) or not any(
            names[row["target"]] == _key(province, "rewards", district_id) for row in rows):
        raise Conflict(Message("This request was already made with other figures."))
    return [Transfer(row["id"], row["key"], names[row["source"]], names[row["target"]], row["amount"], row["kind"],
                     row["reference"], row["memo"], row["actor_id"], row["created_at"], True) for row in rows]


@plugin.platform_operation("a volunteer's points in the province, by the district they were earned in", write=False)
async def points_of(province: str, person_id: int) -> dict[int, int]:
    rows = await PointAccount.select(PointAccount.district_id, PointAccount.balance).where(
        PointAccount.province == province, PointAccount.person_id == person_id, PointAccount.kind == "volunteer")
    return {row["district_id"]: row["balance"] for row in rows if row["balance"]}


@plugin.platform_operation("the conservation check: the province's points sum to zero, in each district and in all",
                           write=False)
async def check_books(province: str) -> list[str]:
    """What is wrong with the province's book, in words (nothing: an empty list): every
    balance recomputed from the transfers, none below zero that may not be, and the sums of
    each district's accounts and of the province's."""
    problems = [problem for problem in await ledger.check(None)
                if problem.startswith(f"{province}:") or problem.startswith("account id")]
    rows = await PointAccount.select(PointAccount.district_id, PointAccount.balance).where(PointAccount.province == province)
    sums: dict[int, int] = {}
    for row in rows:
        sums[row["district_id"]] = sums.get(row["district_id"], 0) + row["balance"]
    problems += [f"district {district}: its accounts sum to {total}, not 0" for district, total in sorted(sums.items())
                 if total]
    total = sum(sums.values())
    if total:
        problems.append(f"{province}: the accounts sum to {total}, not 0")
    return problems
