"""The pages: an organiser posts an activity and shows the minute's code, a volunteer signs up
and checks in and out by typing it (or through the link, which changes nothing until they
press the button), the organiser confirms, the volunteer redeems a reward, the merchant checks
the code; the console's rewards, exchange and statement; 404 where the plugin is off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.plugins import enablement
from plugins.volunteer_exchange import activities, points
from plugins.volunteer_exchange.tables import Activity, Attendance, Redemption, Reward
from tests.plugins.volunteer_exchange.conftest import MORNING
from tests.http import csrf_token, http_client

BASE = "/t/qindu/p/volunteer_exchange"
EN = {"accept-language": "en"}
NOW = MORNING


pytestmark = pytest.mark.usefixtures("morning")


@pytest.fixture
async def admin(district, make_person):
    person = await make_person("区管理员", "13800000490")
    await accounts.add_membership(district, person.id, ["district_admin"])
    return person


async def test_from_posting_an_activity_to_the_points_and_a_reward(app, district, organiser, volunteers, admin,
                                                                   tenant, sign_in):
    volunteer = volunteers[0]
    async with http_client(app) as client:
        await sign_in(client, organiser.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/manage/", headers=EN)
        assert page.status_code == 200 and 'value="10"' in page.text
        token = csrf_token(page.text)
        refused = await client.post(f"{BASE}/manage/activities", headers=EN, data={
            "_csrf_token": token, "title": "社区环境清扫", "place": "社区广场", "starts_at": "2026-12-04 09:00",
            "ends_at": "2026-12-05 11:00", "capacity": "5", "points_per_hour": "10"})
        assert refused.status_code == 422 and "社区环境清扫" in refused.text
        posted = await client.post(f"{BASE}/manage/activities", data={
            "_csrf_token": token, "title": "社区环境清扫", "place": "社区广场", "starts_at": "2026-12-05 09:00",
            "ends_at": "2026-12-05 11:00", "capacity": "5", "points_per_hour": "10"})
        assert posted.status_code == 303
    [activity_row] = await district.select(Activity)
    activity = await activities.get(district, activity_row["id"])
    async with http_client(app) as client:
        await sign_in(client, volunteer.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/activities/{activity.id}", headers=EN)
        token = csrf_token(page.text)
        await client.post(f"{BASE}/activities/{activity.id}/sign-up", data={"_csrf_token": token})
        page = await client.get(f"{BASE}/activities/{activity.id}", headers=EN)
        assert 'id="signed-up"' in page.text
        clock.set_now(NOW + timedelta(minutes=50), frozen=True)
        # The link from the QR code shows a button; opening it checks nobody in.
        shown = activities.code(activity, "in")
        link = await client.get(f"{BASE}/activities/{activity.id}/check/{shown.token}", headers=EN)
        assert link.status_code == 200 and "Check in now" in link.text
        assert await district.count(Attendance) == 0
        wrong = await client.post(f"{BASE}/activities/{activity.id}/check", headers=EN,
                                  data={"_csrf_token": token, "code": "12345x"})
        assert wrong.status_code == 422 and "codes change every minute" in wrong.text and 'value="12345x"' in wrong.text
        checked = await client.post(f"{BASE}/activities/{activity.id}/check", headers=EN,
                                    data={"_csrf_token": token, "code": shown.token})
        assert checked.status_code == 200 and "Checked in." in checked.text
        again = await client.post(f"{BASE}/activities/{activity.id}/check", headers=EN,
                                  data={"_csrf_token": token, "code": shown.short})
        assert again.status_code == 409 and "already checked in" in again.text
        clock.set_now(NOW + timedelta(hours=3), frozen=True)
        out = await client.post(f"{BASE}/activities/{activity.id}/check", headers=EN,
                                data={"_csrf_token": token, "code": activities.code(activity, "out").short})
        assert "Checked out." in out.text
    async with http_client(app) as client:
        await sign_in(client, organiser.phone, login_path="/t/qindu/login")
        code_page = await client.get(f"{BASE}/manage/activities/{activity.id}/code?purpose=out", headers=EN)
        assert activities.code(activity, "out").short in code_page.text and "<svg" in code_page.text
        roster = await client.get(f"{BASE}/manage/activities/{activity.id}", headers=EN)
        assert "120 minutes" in roster.text
        [attendance] = await district.select(Attendance)
        await client.post(f"{BASE}/manage/attendances/{attendance['id']}/confirm",
                          data={"_csrf_token": csrf_token(roster.text)})
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 20}
    async with http_client(app) as client:
        await sign_in(client, admin.phone, login_path="/t/qindu/login")
        console = await client.get(f"{BASE}/console/", headers=EN)
        token = csrf_token(console.text)
        bad = await client.post(f"{BASE}/console/rewards", headers=EN, data={
            "_csrf_token": token, "title": "理发券", "provider": "理发店", "price": "-1", "stock": "3",
            "valid_until": "2027-06-30", "merchant": admin.phone})
        assert bad.status_code == 422 and "理发券" in bad.text
        await client.post(f"{BASE}/console/rewards", data={
            "_csrf_token": token, "title": "理发券", "provider": "理发店", "price": "15", "stock": "3",
            "valid_until": "2027-06-30", "merchant": admin.phone})
        joined = await client.post(f"{BASE}/console/exchange", data={"_csrf_token": token, "join": "1"})
        assert joined.status_code == 303
        console = await client.get(f"{BASE}/console/?period=2026-12", headers=EN)
        assert "This district is in" in console.text and "No points crossed districts in 2026-12." in console.text
    [reward] = await district.select(Reward)
    async with http_client(app) as client:
        await sign_in(client, volunteer.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/rewards/", headers=EN)
        form = {"_csrf_token": csrf_token(page.text), "key": "page-key-0001"}
        assert (await client.post(f"{BASE}/rewards/{reward['id']}/redeem", data=form)).status_code == 303
        assert (await client.post(f"{BASE}/rewards/{reward['id']}/redeem", data=form)).status_code == 303
        home = await client.get(f"{BASE}/", headers=EN)
        [redemption] = await district.select(Redemption)
        assert redemption["code"] in home.text and 'id="points-total">5<' in home.text
    async with http_client(app) as client:
        await sign_in(client, admin.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/merchant/", headers=EN)
        token = csrf_token(page.text)
        ok = await client.post(f"{BASE}/merchant/verify", headers=EN, data={"_csrf_token": token,
                                                                             "code": redemption["code"]})
        assert ok.status_code == 200 and "Valid: 理发券" in ok.text
        used = await client.post(f"{BASE}/merchant/verify", headers=EN, data={"_csrf_token": token,
                                                                               "code": redemption["code"]})
        assert used.status_code == 409 and "This code was used on" in used.text


async def test_others_cannot_reach_the_organisers_or_merchants_pages(app, district, organiser, volunteers, sign_in):
    activity = await activities.post(district, organiser.id, {
        "title": "助老", "place": "养老院", "starts_at": "2026-12-05 09:00", "ends_at": "2026-12-05 11:00",
        "capacity": "2", "points_per_hour": "10"})
    async with http_client(app) as client:
        await sign_in(client, volunteers[0].phone, login_path="/t/qindu/login")
        for path in ("/manage/", f"/manage/activities/{activity.id}", f"/manage/activities/{activity.id}/code",
                     "/merchant/", "/console/"):
            assert (await client.get(f"{BASE}{path}")).status_code == 403, path


async def test_a_district_that_has_not_enabled_it_answers_404(app, district, organiser, sign_in):
    await enablement.set_enabled(district, "volunteer_exchange", False, actor_id=None)
    async with http_client(app) as client:
        await sign_in(client, organiser.phone, login_path="/t/qindu/login")
        for path in ("/", "/manage/", "/rewards/", "/console/", "/merchant/"):
            assert (await client.get(f"{BASE}{path}")).status_code == 404, path


async def test_the_certificate_is_a_pdf_of_the_service_across_the_province(app, district, volunteers, tenant,
                                                                            other_tenant, sign_in):
    volunteer = volunteers[0]
    await points.award(tenant.province, tenant.id, volunteer.id, 20, key="q", memo="社区清扫", minutes=120)
    await points.award(tenant.province, other_tenant.id, volunteer.id, 10, key="w", memo="河道巡护", minutes=60)
    async with http_client(app) as client:
        await sign_in(client, volunteer.phone, login_path="/t/qindu/login")
        home = await client.get(f"{BASE}/", headers=EN)
        assert 'id="hours">3.0<' in home.text and f"{BASE}/certificate.pdf" in home.text
        answer = await client.get(f"{BASE}/certificate.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-") and b"STSong-Light" in answer.content
    assert "attachment" in answer.headers["content-disposition"]


async def test_the_organiser_corrects_hours_on_the_roster(app, district, organiser, volunteers, tenant, sign_in):
    activity = await activities.post(district, organiser.id, {
        "title": "助老", "place": "养老院", "starts_at": "2026-12-05 09:00", "ends_at": "2026-12-05 11:00",
        "capacity": "2", "points_per_hour": "10"})
    volunteer = volunteers[0]
    await activities.sign_up(district, volunteer.id, activity.id)
    clock.set_now(NOW + timedelta(minutes=70), frozen=True)
    await activities.check(district, volunteer.id, activity.id, activities.code(activity, "in").short)
    clock.set_now(NOW + timedelta(minutes=160), frozen=True)
    _purpose, row = await activities.check(district, volunteer.id, activity.id, activities.code(activity, "out").short)
    await activities.confirm(district, organiser.id, set(), row.id)
    async with http_client(app) as client:
        await sign_in(client, organiser.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/manage/activities/{activity.id}", headers=EN)
        token = csrf_token(page.text)
        refused = await client.post(f"{BASE}/manage/attendances/{row.id}/adjust", headers=EN, data={
            "_csrf_token": token, "minutes": "45", "reason": "多算"})
        assert refused.status_code == 422 and 'value="45"' in refused.text and "多算" in refused.text
        done = await client.post(f"{BASE}/manage/attendances/{row.id}/adjust", data={
            "_csrf_token": token, "minutes": "30", "reason": "签到前已开始"})
        assert done.status_code == 303
    assert await points.points_of(tenant.province, volunteer.id) == {tenant.id: 20}
