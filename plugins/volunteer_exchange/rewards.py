"""The district's rewards catalogue (礼遇项目) and redeeming it: stock taken atomically, the
star level checked against the volunteer's service across the province, the points spent on the
province's book (earned here or, when the district is in the exchange, in any district of it),
a code the merchant verifies once; and the exchange membership and settlement statements."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Any

from core.sdk import (CHINA, Conflict, FieldError, Form, Message, NotFound, TenantScope, ValidationFailed,
                      clean_text, now, whole_number)

from plugins.volunteer_exchange import points
from plugins.volunteer_exchange.handle import plugin
from plugins.volunteer_exchange.tables import Redemption, Reward

MERCHANT = "volunteer_exchange.merchant"
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at a counter


def _day(form: Form, name: str) -> datetime | None:
    value = form.field(name, clean_text, max_length=10) or ""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        form.error(name, Message("Give a date, like 2026-12-31."))
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA)


async def add(scope: TenantScope, actor_id: int, data: dict[str, str]) -> Reward:
    """A reward from the console's form; ``merchant`` is the mobile number of who verifies it."""
    form = Form(data)
    title = form.field("title", clean_text, max_length=100)
    description = form.field("description", clean_text, max_length=2000, multiline=True, required=False) or ""
    provider = form.field("provider", clean_text, max_length=100)
    price = form.field("price", whole_number, low=1, high=1_000_000)
    stock = form.field("stock", whole_number, low=0, high=1_000_000)
    min_stars = form.field("min_stars", whole_number, low=0, high=5)
    valid_until = _day(form, "valid_until")
    if valid_until is not None and valid_until <= now():
        form.error("valid_until", Message("Choose a day that has not passed."))
    for name in ("price", "stock"):
        if form.cleaned.get(name) is None and name not in form.errors:
            form.error(name, Message("Enter a whole number."))
    merchant = None
    phone = (data.get("merchant") or "").strip()
    if phone:
        merchant = await plugin.member_by_phone(scope, phone)
    if merchant is None:
        form.error("merchant", Message("Give the mobile number of a member of this district who verifies the codes."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        reward = await scope.create(Reward, title=title, description=description, provider=provider, merchant=merchant,
                                    price=price, stock=stock, min_stars=min_stars or 0, valid_until=valid_until,
                                    created_by=actor_id, created_at=now())
        await plugin.audit(scope, "reward_added", actor_id=actor_id, target=f"volunteer_exchange_reward:{reward.id}")
    return reward


async def catalogue(scope: TenantScope) -> list[dict[str, Any]]:
    """The rewards that can be redeemed now, cheapest first."""
    return await scope.select(Reward).where(Reward.valid_until > now()).order_by(Reward.price)


async def get(scope: TenantScope, reward_id: int) -> Reward:
    found = await scope.get(Reward, reward_id)
    if found is None:
        raise NotFound()
    return found


async def usable(scope: TenantScope, province: str) -> set[int]:
    """Whose points buy this district's rewards: its own, and, when it is in the exchange,
    those of every district of the exchange."""
    members = await points.exchange_of(province)
    return members | {scope.tenant_id} if scope.tenant_id in members else {scope.tenant_id}


async def redeem(scope: TenantScope, person_id: int, reward_id: int, key: str) -> Redemption:
    """The volunteer buys the reward: one taken from its stock, its price spent, a code made,
    all or nothing. The same key again is the same redemption."""
    key = (key or "").strip()[:80]
    if len(key) < 8:
        raise ValidationFailed({"key": Message("This request cannot be accepted; reload the page and try again.")})
    earlier = await scope.objects(Redemption).where(Redemption.key == key).first()
    if earlier is not None:
        if earlier.reward != reward_id or earlier.person_id != person_id:
            raise Conflict(Message("This request was already made with other figures."))
        return earlier
    reward = await get(scope, reward_id)
    if reward.valid_until <= now():
        raise Conflict(Message("This reward is no longer offered."))
    province = await plugin.province_of(scope)
    stars = points.stars_for(await points.hours_of(province, person_id))
    if stars < reward.min_stars:
        raise Conflict(Message("This reward is for volunteers of %(stars)s stars or more; you have %(have)s.",
                               {"stars": reward.min_stars, "have": stars}))
    spendable = await usable(scope, province)
    try:
        async with scope.transaction(write=True):
            taken = await scope.update(Reward, {Reward.stock: Reward.stock - 1}).where(
                Reward.id == reward.id, Reward.stock > 0).returning(Reward.id)
            if not taken:
                raise Conflict(Message("This reward is out of stock."))
            redemption = await scope.create(Redemption, reward=reward.id, person_id=person_id, points=reward.price,
                                            code=_code(), key=key, created_at=now())
            await plugin.audit(scope, "reward_redeemed", actor_id=person_id,
                               target=f"volunteer_exchange_reward:{reward.id}", points=reward.price)
            # Last in the transaction: the points move across districts in platform scope.
            await points.redeem(province, scope.tenant_id, person_id, reward.price, key=f"{scope.tenant_id}:{key}",
                                usable=spendable, reference=f"redemption:{redemption.id}", memo=reward.title,
                                actor_id=person_id)
    except Conflict:  # out of stock, or too few points (NotEnough): nothing was written
        raise
    except Exception:
        # The same key at the same moment (the unique index kept the other): that one stands.
        again = await scope.objects(Redemption).where(Redemption.key == key).first()
        if again is None:
            raise
        return again
    return redemption


def _code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(8))


async def verify(scope: TenantScope, merchant_id: int, roles, code: str) -> dict[str, Any]:
    """The merchant verifies a redemption code once: the reward it is for."""
    try:
        code = clean_text(code, max_length=64, required=False).upper().replace(" ", "")
    except FieldError:
        code = ""  # a NUL byte, say, which a database refuses: no code has it
    async with scope.transaction(write=True):
        found = await scope.objects(Redemption).where(Redemption.code == code).first()
        reward = await scope.get(Reward, found.reward) if found else None
        if found is None or (reward.merchant != merchant_id and "district_admin" not in roles):
            raise ValidationFailed({"code": Message("There is no such code among your rewards.")})
        if found.verified_at is not None:
            raise Conflict(Message("This code was used on %(when)s.", {
                "when": found.verified_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}))
        changed = await scope.update(Redemption, {Redemption.verified_at: now(), Redemption.verified_by: merchant_id}
                                     ).where(Redemption.id == found.id, Redemption.verified_at.is_null()
                                             ).returning(Redemption.id)
        if not changed:
            raise Conflict(Message("This code has just been used."))
        await plugin.audit(scope, "code_verified", actor_id=merchant_id,
                           target=f"volunteer_exchange_redemption:{found.id}")
    return {"reward": reward.title, "points": found.points, "code": code}


async def mine(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    rows = await scope.select(Redemption).where(Redemption.person_id == person_id).order_by(Redemption.id,
                                                                                             ascending=False)
    titles = {r["id"]: r["title"] for r in await scope.select(Reward, Reward.id, Reward.title).where(
        Reward.id.is_in([row["reward"] for row in rows] or [0]))}
    return [{**row, "title": titles.get(row["reward"], "")} for row in rows]


# The exchange ---------------------------------------------------------------------------


async def join_exchange(scope: TenantScope, actor_id: int) -> None:
    await points.join(await plugin.province_of(scope), scope.tenant_id, actor_id)
    await plugin.audit(scope, "exchange_joined", actor_id=actor_id)


async def leave_exchange(scope: TenantScope, actor_id: int) -> None:
    await points.leave(await plugin.province_of(scope), scope.tenant_id)
    await plugin.audit(scope, "exchange_left", actor_id=actor_id)


async def settlement(scope: TenantScope, period: str) -> list[dict[str, int]]:
    """The district's settlement statement for a month (YYYY-MM), per other district."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=CHINA)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=CHINA)
    return await points.statement(await plugin.province_of(scope), scope.tenant_id, start, end)
