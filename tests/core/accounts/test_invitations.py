"""Invitations: sent by a district admin, accepted once by link or code, with a new or existing account."""

import re
from datetime import timedelta

import pytest

from core import clock
from core.accounts import services
from core.accounts.tables import Invitation, Person
from core.config import Settings
from core.messaging import outbox
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street
from tests.http import count_everywhere, csrf_token, post_form


@pytest.fixture
async def district(tenant, make_person):
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid_one = await scope.create(Grid, community=community.id, name="第1网格")
    grid_two = await scope.create(Grid, community=community.id, name="第2网格")
    admin = await make_person("王建华", "13900000001")
    await services.add_membership(scope, admin.id, ["district_admin"])
    return {"scope": scope, "grid": grid_one, "other_grid": grid_two, "admin": admin}


async def _invite(client, sign_in, district, **changes):
    await sign_in(client, "13900000001")
    data = {"display_name": "张伟", "identifier": "13900000012", "roles": "grid_worker",
            "unit": f"grid:{district['grid'].id}", **changes}
    response = await post_form(client, "/t/qindu/console/invitations", data, headers={"Accept-Language": "zh-CN"})
    return response


def _sent_code(phone: str) -> str:
    [message] = outbox.read(Settings.from_env().outbox_dir / "sms", to=phone)[-1:]
    return re.search(r"邀请码 ([A-Z0-9]{10})", message["text"]).group(1)


async def test_a_grid_worker_is_invited_accepts_and_sees_only_their_grid(client, sign_in, district):
    sent = await _invite(client, sign_in, district)
    assert sent.status_code == 200 and "邀请已发送至 13900000012" in sent.text
    code = _sent_code("13900000012")
    client.cookies.clear()

    page = await client.get(f"/t/qindu/invitations/{code}", headers={"Accept-Language": "zh-CN"})
    assert "网格员" in page.text
    accepted = await client.post(f"/t/qindu/invitations/{code}/accept", data={
        "display_name": "张伟", "password": "Grid-Worker-2026", "_csrf_token": csrf_token(page.text)})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/t/qindu/console/"
    person = await services.find_person(services.Identifier("phone", "13900000012"))
    [place] = await services.places_of(district["scope"], person.id)
    assert (place.unit_kind, place.unit_id, place.roles) == ("grid", district["grid"].id, {"grid_worker"})

    console = await client.get("/t/qindu/console/")
    assert "第1网格" in console.text and "第2网格" not in console.text
    assert "组织架构" not in console.text  # no admin links for a grid worker

    again = await client.post(f"/t/qindu/invitations/{code}/accept", data={
        "display_name": "张伟", "password": "Grid-Worker-2026", "_csrf_token": csrf_token(page.text)},
        headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 409 and "已经被接受" in again.text


async def test_the_code_can_be_typed(client, sign_in, district):
    await _invite(client, sign_in, district)
    code = _sent_code("13900000012")
    client.cookies.clear()
    form = await client.get("/t/qindu/invitations")
    typed = f"{code[:5].lower()}-{code[5:]}"
    response = await client.post("/t/qindu/invitations", data={"code": typed, "_csrf_token": csrf_token(form.text)})
    assert response.headers["location"] == f"/t/qindu/invitations/{code}"


async def test_an_existing_account_signs_in_to_accept(client, sign_in, district, make_person):
    worker = await make_person("张伟", "13900000012")
    await _invite(client, sign_in, district)
    code = _sent_code("13900000012")
    client.cookies.clear()
    anonymous = await client.post(f"/t/qindu/invitations/{code}/accept", data={
        "display_name": "冒充", "password": "Whatever-2026",
        "_csrf_token": csrf_token((await client.get(f"/t/qindu/invitations/{code}")).text)})
    assert anonymous.status_code == 409
    assert await Person.count() == 2
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/invitations/{code}")
    done = await client.post(f"/t/qindu/invitations/{code}/accept", data={"_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    assert await services.roles_in(district["scope"], worker.id) == {"grid_worker"}


async def test_someone_else_signed_in_cannot_take_it(client, sign_in, district, make_person):
    await make_person("陈明", "13800000022")
    await _invite(client, sign_in, district)
    code = _sent_code("13900000012")
    await sign_in(client, "13800000022")
    page = await client.get(f"/t/qindu/invitations/{code}")
    response = await client.post(f"/t/qindu/invitations/{code}/accept", data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 409
    assert await count_everywhere(Invitation, Invitation.accepted_at.is_not_null()) == 0


async def test_revoked_and_expired_invitations_cannot_be_used(client, sign_in, district):
    await _invite(client, sign_in, district)
    code = _sent_code("13900000012")
    invitation = await district["scope"].objects(Invitation).first()
    page = await client.get("/t/qindu/console/invitations")
    await client.post(f"/t/qindu/console/invitations/{invitation.id}/revoke", data={"_csrf_token": csrf_token(page.text)})
    client.cookies.clear()
    shown = await client.get(f"/t/qindu/invitations/{code}", headers={"Accept-Language": "zh-CN"})
    assert "已被撤回" in shown.text

    await _invite(client, sign_in, district, identifier="13900000013")
    second = _sent_code("13900000013")
    clock.advance(timedelta(days=7, minutes=1))
    client.cookies.clear()
    page = await client.get(f"/t/qindu/invitations/{second}", headers={"Accept-Language": "zh-CN"})
    assert "已过期" in page.text
    response = await client.post(f"/t/qindu/invitations/{second}/accept", data={
        "display_name": "过期", "password": "Expired-Pass-2026", "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 409
    assert await Person.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"roles": ""}, "roles"), ({"roles": "platform_admin"}, "roles"), ({"unit": "grid:999999"}, "unit"),
     ({"unit": "galaxy:1"}, "unit"), ({"identifier": "not a phone"}, "identifier"), ({"display_name": ""}, "display_name")],
)
async def test_bad_invitations_are_refused(client, sign_in, district, changes, field):
    response = await _invite(client, sign_in, district, **changes)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    assert await count_everywhere(Invitation) == 0


async def test_an_invitation_code_of_another_district_is_unknown_here(client, sign_in, district, other_tenant):
    await _invite(client, sign_in, district)
    code = _sent_code("13900000012")
    assert (await client.get(f"/t/weicheng/invitations/{code}")).status_code == 404


async def test_only_district_admins_invite(client, tenant, make_person, sign_in):
    staff = await make_person("李秀英", "13900000011")
    await services.add_membership(TenantScope(tenant.id), staff.id, ["staff"])
    await sign_in(client, "13900000011")
    assert (await client.get("/t/qindu/console/invitations")).status_code == 403
