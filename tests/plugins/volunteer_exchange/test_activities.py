"""Activities: posting one, sign-ups within capacity under concurrency, check-in and check-out
with the minute's code inside the activity's window, minutes capped at its length, and the
organiser's confirmation awarding the points once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import clock
from core.errors import Conflict, NotFound, ValidationFailed
from plugins.volunteer_exchange import activities, points
from plugins.volunteer_exchange.tables import Activity, Attendance
from tests.plugins.volunteer_exchange.conftest import MORNING

NOW = MORNING


pytestmark = pytest.mark.usefixtures("morning")


FORM = {"title": "社区环境清扫", "description": "清扫小区公共区域", "place": "渭阳西路社区广场", "organisation": "渭阳西路社区",
        "skills": "无", "starts_at": "2026-12-05 09:00", "ends_at": "2026-12-05 11:00", "capacity": "2",
        "points_per_hour": "10"}


@pytest.fixture
async def activity(district, organiser):
    return await activities.post(district, organiser.id, FORM)


async def test_a_bad_activity_is_refused_and_nothing_is_written(district, organiser):
    with pytest.raises(ValidationFailed) as refused:
        await activities.post(district, organiser.id, {**FORM, "title": "", "starts_at": "2026-12-04 09:00",
                                                       "ends_at": "2026-12-04 08:00", "capacity": "0"})
    assert {"title", "starts_at", "ends_at", "capacity"} <= set(refused.value.errors)
    assert await district.count(Activity) == 0


async def test_sign_ups_never_pass_the_capacity(district, activity, volunteers):
    async def sign(person):
        try:
            await activities.sign_up(district, person.id, activity.id)
            return True
        except Conflict:
            return False

    assert sum(await asyncio.gather(*(sign(p) for p in volunteers))) == 2
    [listed] = [a for a in await activities.upcoming(district) if a["id"] == activity.id]
    assert listed["free"] == 0


async def test_check_in_and_out_with_the_minutes_code_and_confirmation_awards_the_points(district, activity,
                                                                                       organiser, volunteers,
                                                                                       tenant):
    volunteer = volunteers[0]
    await activities.sign_up(district, volunteer.id, activity.id)
    # Before the window, the code is right but check-in is not open.
    with pytest.raises(Conflict):
        await activities.check(district, volunteer.id, activity.id, activities.code(activity, "in").short)
    clock.set_now(NOW + timedelta(minutes=45), frozen=True)  # 08:45
    shown = activities.code(activity, "in")
    with pytest.raises(ValidationFailed):
        await activities.check(district, volunteer.id, activity.id, "000000" if shown.short != "000000" else "111111")
    # The code of two minutes ago has expired; the one shown a minute ago still works.
    clock.set_now(NOW + timedelta(minutes=47), frozen=True)
    with pytest.raises(ValidationFailed):
        await activities.check(district, volunteer.id, activity.id, shown.token)
    late = activities.code(activity, "in")
    clock.set_now(NOW + timedelta(minutes=48), frozen=True)
    purpose, row = await activities.check(district, volunteer.id, activity.id, late.token)
    assert purpose == "in" and row.checked_in_at == NOW + timedelta(minutes=48)
    with pytest.raises(Conflict):
        await activities.check(district, volunteer.id, activity.id, activities.code(activity, "in").short)
    # Someone not signed up cannot check in.
    with pytest.raises(Conflict):
        await activities.check(district, volunteers[1].id, activity.id, activities.code(activity, "in").short)
    # Out after the end: the minutes are capped at the activity's two hours.
    clock.set_now(NOW + timedelta(hours=3, minutes=30), frozen=True)
    purpose, row = await activities.check(district, volunteer.id, activity.id, activities.code(activity, "out").short)
    assert (purpose, row.minutes) == ("out", 120)
    with pytest.raises(NotFound):  # only the organiser (or a district admin) confirms
        await activities.confirm(district, volunteers[1].id, set(), row.id)
    confirmed = await activities.confirm(district, organiser.id, {"volunteer_exchange.organiser"}, row.id)
    again = await activities.confirm(district, organiser.id, {"volunteer_exchange.organiser"}, row.id)
    assert confirmed.points == again.points == 20
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 20}
    assert await points.check_books(tenant.province) == []


async def test_minutes_run_from_check_in_to_check_out(district, activity, organiser, volunteers):
    volunteer = volunteers[0]
    await activities.sign_up(district, volunteer.id, activity.id)
    clock.set_now(NOW + timedelta(hours=1, minutes=10), frozen=True)  # 09:10
    await activities.check(district, volunteer.id, activity.id, activities.code(activity, "in").short)
    with pytest.raises(Conflict):
        await activities.confirm(district, organiser.id, set(), (await district.select(Attendance))[0]["id"])
    clock.set_now(NOW + timedelta(hours=2, minutes=40), frozen=True)  # 10:40
    _purpose, row = await activities.check(district, volunteer.id, activity.id, activities.code(activity, "out").token)
    assert row.minutes == 90
    confirmed = await activities.confirm(district, organiser.id, set(), row.id)
    assert confirmed.points == 15


async def test_a_volunteer_cancels_and_the_place_is_free_again(district, activity, volunteers):
    await activities.sign_up(district, volunteers[0].id, activity.id)
    await activities.sign_up(district, volunteers[1].id, activity.id)
    with pytest.raises(Conflict):
        await activities.sign_up(district, volunteers[2].id, activity.id)
    await activities.cancel(district, volunteers[0].id, activity.id)
    with pytest.raises(Conflict):
        await activities.cancel(district, volunteers[0].id, activity.id)
    await activities.sign_up(district, volunteers[2].id, activity.id)


async def _confirmed(district, activity, organiser, volunteer, *, checked_in=50, checked_out=180):
    await activities.sign_up(district, volunteer.id, activity.id)
    clock.set_now(NOW + timedelta(minutes=checked_in), frozen=True)
    await activities.check(district, volunteer.id, activity.id, activities.code(activity, "in").short)
    clock.set_now(NOW + timedelta(minutes=checked_out), frozen=True)
    _purpose, row = await activities.check(district, volunteer.id, activity.id, activities.code(activity, "out").short)
    return await activities.confirm(district, organiser.id, set(), row.id)


async def test_a_correction_is_recorded_beside_the_hours_and_moves_the_points(district, activity, organiser,
                                                                             volunteers, tenant):
    volunteer = volunteers[0]
    # In at 09:10, out at 10:40: 90 minutes, 15 points.
    row = await _confirmed(district, activity, organiser, volunteer, checked_in=70, checked_out=160)
    assert (row.minutes, row.points) == (90, 15)
    with pytest.raises(ValidationFailed):
        await activities.adjust(district, organiser.id, set(), row.id, {"minutes": "40", "reason": "超过活动时长"})
    with pytest.raises(ValidationFailed):
        await activities.adjust(district, organiser.id, set(), row.id, {"minutes": "0", "reason": "无"})
    await activities.adjust(district, organiser.id, set(), row.id, {"minutes": "30", "reason": "签到前已开始工作"})
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 20}
    assert await points.hours_of(tenant.province, volunteer.id) == 120
    assert (await district.get(Attendance, row.id)).minutes == 90, "the attendance is never edited"
    await activities.adjust(district, organiser.id, set(), row.id, {"minutes": "-60", "reason": "提前离开"})
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 10}
    assert await points.check_books(tenant.province) == []


async def test_points_spent_cannot_be_taken_back(district, activity, organiser, volunteers, tenant):
    volunteer = volunteers[0]
    row = await _confirmed(district, activity, organiser, volunteer)
    await points.redeem(tenant.province, tenant.id, volunteer.id, 15, key="spent", usable={tenant.id})
    with pytest.raises(Conflict):
        await activities.adjust(district, organiser.id, set(), row.id, {"minutes": "-60", "reason": "提前离开"})
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 5}
    assert await points.hours_of(tenant.province, volunteer.id) == 120


async def test_a_star_volunteer_earns_the_districts_bonus(district, activity, organiser, volunteers, tenant):
    volunteer = volunteers[0]
    await points.award(tenant.province, tenant.id, volunteer.id, 0, key="past", memo="往年服务", minutes=300 * 60)
    assert points.stars_for(await points.hours_of(tenant.province, volunteer.id)) == 2
    row = await _confirmed(district, activity, organiser, volunteer)
    assert row.points == 24  # 20 points, and 10 % for each of two stars
    assert activities.points_for(90, 10) == 15 and activities.points_for(60, 10, 3, 10) == 13
