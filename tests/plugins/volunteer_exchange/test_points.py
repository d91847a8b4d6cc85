"""The province's points book: points earned in one district are spent in another through both
districts' clearing accounts, in one transaction; a key makes one movement however often it is
sent; no balance goes below zero, however many spend at once (on PostgreSQL from two OS
processes); and every district's accounts, and the province's, sum to zero."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from core.errors import Conflict
from core.ledger import NotEnough
from plugins.volunteer_exchange import points
from plugins.volunteer_exchange.tables import PointAccount, PointTransfer

VOLUNTEER = 7001


@pytest.fixture
async def province(tenant, other_tenant):
    assert tenant.province == other_tenant.province
    return tenant.province


async def test_points_earned_are_the_volunteers_and_the_same_award_twice_is_one(province, tenant):
    first = await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1", memo="清扫社区 3 小时")
    again = await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1", memo="清扫社区 3 小时")
    assert again.replayed and again.id == first.id
    assert await points.points_of(province, VOLUNTEER) == {tenant.id: 30}
    assert await points.check_books(province) == []


async def test_spending_in_the_district_where_they_were_earned(province, tenant):
    await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1")
    [moved] = await points.redeem(province, tenant.id, VOLUNTEER, 25, key="reward-1", usable={tenant.id})
    assert (moved.kind, moved.amount, moved.target) == ("redeem", 25, f"{province}:rewards:{tenant.id}")
    assert await points.points_of(province, VOLUNTEER) == {tenant.id: 5}
    with pytest.raises(NotEnough):
        await points.redeem(province, tenant.id, VOLUNTEER, 6, key="reward-2", usable={tenant.id})
    assert await points.points_of(province, VOLUNTEER) == {tenant.id: 5}
    assert await PointTransfer.count().where(PointTransfer.kind == "redeem") == 1
    assert await points.check_books(province) == []


async def test_points_of_one_district_buy_a_reward_of_another_through_clearing(province, tenant, other_tenant):
    qindu, weicheng = tenant.id, other_tenant.id
    await points.award(province, qindu, VOLUNTEER, 30, key="q-hours")
    await points.award(province, weicheng, VOLUNTEER, 20, key="w-hours")
    # A district not in the exchange: only the points earned there count.
    with pytest.raises(NotEnough):
        await points.redeem(province, weicheng, VOLUNTEER, 40, key="w-reward", usable={weicheng})
    moved = await points.redeem(province, weicheng, VOLUNTEER, 40, key="w-reward", usable={qindu, weicheng})
    assert [(m.kind, m.amount) for m in moved] == [("redeem", 20), ("redeem_out", 20), ("redeem_in", 20)]
    assert await points.points_of(province, VOLUNTEER) == {qindu: 10}
    balances = {row["key"]: row["balance"] for row in await PointAccount.select(PointAccount.key, PointAccount.balance)}
    # 秦都 owes 渭城 the 20 points its volunteer spent there.
    assert balances[f"{province}:clearing:{qindu}"] == 20
    assert balances[f"{province}:clearing:{weicheng}"] == -20
    assert balances[f"{province}:rewards:{weicheng}"] == 40
    assert await points.check_books(province) == []


async def test_a_replayed_redemption_is_the_same_and_other_figures_under_its_key_are_refused(province, tenant):
    await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1")
    first = await points.redeem(province, tenant.id, VOLUNTEER, 10, key="reward-1", usable={tenant.id})
    again = await points.redeem(province, tenant.id, VOLUNTEER, 10, key="reward-1", usable={tenant.id})
    assert [m.id for m in again] == [m.id for m in first] and all(m.replayed for m in again)
    with pytest.raises(Conflict):
        await points.redeem(province, tenant.id, VOLUNTEER, 11, key="reward-1", usable={tenant.id})
    assert await points.points_of(province, VOLUNTEER) == {tenant.id: 20}


async def test_the_check_names_a_district_whose_accounts_do_not_sum_to_zero(province, tenant):
    await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1")
    await PointAccount.update({PointAccount.balance: 31}).where(PointAccount.key == f"{province}:volunteer:{VOLUNTEER}:{tenant.id}")
    problems = await points.check_books(province)
    assert f"{province}:volunteer:{VOLUNTEER}:{tenant.id}: kept balance 31, its transfers make 30" in problems
    assert f"district {tenant.id}: its accounts sum to 1, not 0" in problems


async def test_concurrent_redemptions_never_spend_more_than_there_is(province, tenant):
    await points.award(province, tenant.id, VOLUNTEER, 100, key="hours-1")

    async def spend(n: int) -> bool:
        try:
            await points.redeem(province, tenant.id, VOLUNTEER, 10, key=f"r-{n}", usable={tenant.id})
            return True
        except NotEnough:
            return False

    assert sum(await asyncio.gather(*(spend(n) for n in range(30)))) == 10
    assert await points.points_of(province, VOLUNTEER) == {}
    assert await points.check_books(province) == []


SPENDER = """
import asyncio, sys
from core import db
from core.config import Settings
from core.ledger import NotEnough

async def main(province, district, person, count, tag):
    db.configure(Settings.from_env().database_url)
    await db.start()
    from plugins.volunteer_exchange import points

    async def one(n):
        try:
            await points.redeem(province, district, person, 1, key=f"{tag}-{n}", usable={district})
            return 1
        except NotEnough:
            return 0

    print(sum(await asyncio.gather(*(one(n) for n in range(count)))))
    await db.stop()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
"""


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_thousand_redemptions_from_two_processes_spend_exactly_the_balance(province, tenant):
    await points.award(province, tenant.id, VOLUNTEER, 100, key="hours-1")
    spenders = [subprocess.Popen([sys.executable, "-c", SPENDER, province, str(tenant.id), str(VOLUNTEER), "500", tag],
                                 env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for tag in ("a", "b")]
    results = [spender.communicate(timeout=300) for spender in spenders]
    assert all(spender.returncode == 0 for spender in spenders), [err[-2000:] for _out, err in results]
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in results) == 100
    assert await points.points_of(province, VOLUNTEER) == {}
    assert await PointTransfer.count().where(PointTransfer.kind == "redeem") == 100
    assert await points.check_books(province) == []


async def test_the_check_runs_from_the_command_line_and_fails_on_a_problem(province, tenant):
    from core.plugins import enablement
    from core.tenancy import TenantScope

    await enablement.set_enabled(TenantScope(tenant.id), "volunteer_exchange", True, actor_id=None)
    await points.award(province, tenant.id, VOLUNTEER, 30, key="hours-1")
    command = [sys.executable, "-m", "core.cli", "job", "run", "volunteer_exchange.check_books"]
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    fine = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=120)
    assert fine.returncode == 0, fine.stderr
    assert f"district {tenant.id}: []" in fine.stdout
    await PointAccount.update({PointAccount.balance: 29}).where(
        PointAccount.key == f"{province}:volunteer:{VOLUNTEER}:{tenant.id}")
    broken = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert "kept balance 29, its transfers make 30" in broken.stdout
