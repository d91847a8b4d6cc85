"""Rewards: the catalogue's bad input, stock taken atomically, the star level, too few points,
a code the merchant verifies once, a replayed request, and a reward of another district bought
through the exchange, with the settlement statements of both districts."""

from __future__ import annotations

import asyncio


import pytest

from core import clock
from core.accounts import services as accounts
from core.errors import Conflict, ValidationFailed
from core.ledger import NotEnough
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.volunteer_exchange import points, rewards
from plugins.volunteer_exchange.tables import Redemption, Reward

CHINA = clock.CHINA
REWARD = {"title": "理发券", "provider": "渭阳理发店", "price": "20", "stock": "2", "min_stars": "0",
          "valid_until": "2027-06-30", "merchant": "13800000450"}


@pytest.fixture
async def merchant(district, make_person):
    person = await make_person("理发店老板", "13800000450")
    await accounts.add_membership(district, person.id, ["volunteer_exchange.merchant"])
    return person


@pytest.fixture
async def volunteer(district, make_person, tenant):
    person = await make_person("志愿者甲", "13800000460")
    await accounts.add_membership(district, person.id, ["resident"])
    await points.award(tenant.province, tenant.id, person.id, 50, key="service-1", memo="社区清扫", minutes=300)
    return person


async def test_a_bad_reward_is_refused_with_every_field_named(district, organiser):
    with pytest.raises(ValidationFailed) as refused:
        await rewards.add(district, organiser.id, {"title": "", "provider": "", "price": "-5", "stock": "x",
                                                   "min_stars": "6", "valid_until": "2020-01-01",
                                                   "merchant": "13999999999"})
    assert set(refused.value.errors) == {"title", "provider", "price", "stock", "min_stars", "valid_until",
                                         "merchant"}
    assert await district.count(Reward) == 0


async def test_a_volunteer_redeems_once_per_request_and_the_merchant_verifies_the_code_once(
        district, organiser, merchant, volunteer, tenant):
    reward = await rewards.add(district, organiser.id, REWARD)
    redemption = await rewards.redeem(district, volunteer.id, reward.id, "request-0001")
    again = await rewards.redeem(district, volunteer.id, reward.id, "request-0001")
    assert again.id == redemption.id
    assert (await district.get(Reward, reward.id)).stock == 1
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 30}
    with pytest.raises(ValidationFailed):
        await rewards.verify(district, organiser.id, set(), redemption.code)  # not the reward's merchant
    verified = await rewards.verify(district, merchant.id, set(), redemption.code.lower())
    assert verified["reward"] == "理发券"
    with pytest.raises(Conflict):
        await rewards.verify(district, merchant.id, set(), redemption.code)
    assert await points.check_books(tenant.province) == []


async def test_out_of_stock_too_few_points_or_too_few_stars_spend_nothing(district, organiser, merchant, volunteer,
                                                                          tenant):
    scarce = await rewards.add(district, organiser.id, {**REWARD, "stock": "0"})
    dear = await rewards.add(district, organiser.id, {**REWARD, "title": "体检套餐", "price": "51"})
    starry = await rewards.add(district, organiser.id, {**REWARD, "title": "疗养名额", "min_stars": "1"})
    for reward in (scarce, dear, starry):
        with pytest.raises(Conflict):
            await rewards.redeem(district, volunteer.id, reward.id, f"request-{reward.id:04d}")
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 50}
    assert (await district.get(Reward, dear.id)).stock == 2
    assert await district.count(Redemption) == 0
    # 100 hours make one star.
    await points.award(tenant.province, tenant.id, volunteer.id, 1, key="service-2", memo="养老院陪护", minutes=5700)
    assert points.stars_for(await points.hours_of(tenant.province, volunteer.id)) == 1
    await rewards.redeem(district, volunteer.id, starry.id, "request-star")


async def test_stock_is_taken_atomically(district, organiser, merchant, make_person, tenant):
    reward = await rewards.add(district, organiser.id, {**REWARD, "stock": "3"})
    people = []
    for n in range(8):
        person = await make_person(f"志愿者{n}", f"138000004{70 + n}")
        await points.award(tenant.province, tenant.id, person.id, 20, key=f"s-{n}", memo="清扫", minutes=120)
        people.append(person)

    async def take(person):
        try:
            await rewards.redeem(district, person.id, reward.id, f"request-{person.id:06d}")
            return True
        except Conflict:
            return False

    assert sum(await asyncio.gather(*(take(p) for p in people))) == 3
    assert (await district.get(Reward, reward.id)).stock == 0
    assert await points.check_books(tenant.province) == []


async def test_a_reward_of_the_neighbouring_district_through_the_exchange(district, organiser, volunteer, tenant,
                                                                           other_tenant, make_person):
    neighbour = TenantScope(other_tenant.id)
    await enablement.set_enabled(neighbour, "volunteer_exchange", True, actor_id=None)
    shopkeeper = await make_person("渭城商家", "13800000480")
    await accounts.add_membership(neighbour, shopkeeper.id, ["volunteer_exchange.merchant"])
    their_admin = await make_person("渭城管理员", "13800000481")
    await accounts.add_membership(neighbour, their_admin.id, ["district_admin"])
    reward = await rewards.add(neighbour, their_admin.id, {**REWARD, "title": "渭城公园年卡", "merchant": "13800000480"})
    # 渭城 is not in the exchange yet: 秦都's points do not count there.
    with pytest.raises(NotEnough):
        await rewards.redeem(neighbour, volunteer.id, reward.id, "cross-0001")
    await rewards.join_exchange(district, organiser.id)
    await rewards.join_exchange(neighbour, their_admin.id)
    await rewards.join_exchange(neighbour, their_admin.id)
    redemption = await rewards.redeem(neighbour, volunteer.id, reward.id, "cross-0002")
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 30}
    period = clock.now().astimezone(CHINA).strftime("%Y-%m")
    assert await rewards.settlement(neighbour, period) == [
        {"district_id": tenant.id, "we_owe": 0, "owed_to_us": 20, "balance": 20}]
    assert await rewards.settlement(district, period) == [
        {"district_id": other_tenant.id, "we_owe": 20, "owed_to_us": 0, "balance": -20}]
    assert (await rewards.verify(neighbour, shopkeeper.id, set(), redemption.code))["points"] == 20
    # The redemption is 渭城's row: 秦都 does not see it.
    assert await district.count(Redemption) == 0 and await neighbour.count(Redemption) == 1
    await rewards.leave_exchange(neighbour, their_admin.id)
    with pytest.raises(NotEnough):
        await rewards.redeem(neighbour, volunteer.id, reward.id, "cross-0003")
    assert await points.check_books(tenant.province) == []


