"""/t/{slug}/register: a resident registers by phone with a code."""

import pytest

from core.accounts import services
from core.accounts.tables import Membership, Person, Session
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street
from tests.http import csrf_token, last_code, post_form


@pytest.fixture
async def units(tenant, other_tenant):
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    other = TenantScope(other_tenant.id)
    other_street = await other.create(Street, name="中山街道")
    foreign = await other.create(Community, street=other_street.id, name="中山社区")
    return {"community": community, "grid": grid, "foreign": foreign}


def _details(units, **changes):
    return {"display_name": "刘芳", "identifier": "138 0000 0021", "community": str(units["community"].id),
            "grid": str(units["grid"].id), **changes}


async def test_register_by_phone_with_the_code(client, tenant, units):
    step1 = await post_form(client, "/t/qindu/register", _details(units), headers={"Accept-Language": "zh-CN"})
    assert step1.status_code == 200
    assert "六位验证码已发送至 13800000021" in step1.text
    assert await Person.count() == 0
    code = last_code("13800000021")
    done = await client.post("/t/qindu/register/confirm", data={
        **_details(units), "code": code, "_csrf_token": csrf_token(step1.text)})
    assert done.status_code == 303 and done.headers["location"] == "/t/qindu/"
    person = await services.find_person(services.Identifier("phone", "13800000021"))
    assert person.display_name == "刘芳" and person.password_hash is None
    membership = await TenantScope(tenant.id).objects(Membership).first()
    assert (membership.unit_kind, membership.unit_id) == ("grid", units["grid"].id)
    assert await services.roles_in(TenantScope(tenant.id), person.id) == {"resident"}
    assert "刘芳" in (await client.get("/t/qindu/")).text


async def test_a_wrong_code_keeps_the_details(client, tenant, units):
    step1 = await post_form(client, "/t/qindu/register", _details(units))
    response = await client.post("/t/qindu/register/confirm", data={
        **_details(units), "code": "12345x", "_csrf_token": csrf_token(step1.text)},
        headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "验证码不正确" in response.text
    assert 'value="刘芳"' in response.text
    assert await Person.count() == 0 and await Session.count() == 0


async def test_an_existing_account_is_reused(client, tenant, units, make_person):
    existing = await make_person("刘芳", "13800000021")
    step1 = await post_form(client, "/t/qindu/register", _details(units, display_name="另一个名字"))
    await client.post("/t/qindu/register/confirm", data={
        **_details(units, display_name="另一个名字"), "code": last_code("13800000021"),
        "_csrf_token": csrf_token(step1.text)})
    assert await Person.count() == 1
    assert (await Person.objects().first()).display_name == existing.display_name
    assert await services.roles_in(TenantScope(tenant.id), existing.id) == {"resident"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "此项必填"),
        ({"display_name": "<b>刘芳</b>" * 20}, "display_name", "最多 50 个字符"),
        ({"identifier": "１２３"}, "identifier", "请输入 11 位手机号码或电子邮箱地址"),
        ({"community": ""}, "community", "请选择一项"),
        ({"community": "abc"}, "community", "请从列表中选择"),
        ({"grid": "999999"}, "grid", "这个网格不属于您选择的社区"),
    ],
)
async def test_bad_details_are_answered_next_to_the_field(client, tenant, units, changes, field, message):
    response = await post_form(client, "/t/qindu/register", _details(units, **changes),
                               headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    at = response.text.index(f'id="e-{field}"')
    assert message in response.text[at:at + 300]
    assert await Person.count() == 0


async def test_another_districts_community_is_refused(client, tenant, units):
    response = await post_form(client, "/t/qindu/register",
                               _details(units, community=str(units["foreign"].id), grid=""),
                               headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "请从列表中选择" in response.text


async def test_full_width_phone_numbers_are_normalised(client, tenant, units):
    await post_form(client, "/t/qindu/register", _details(units, identifier="＋８６ １３８００００００２１"))
    assert last_code("13800000021")


async def test_html_in_a_name_is_escaped(client, tenant, units):
    step1 = await post_form(client, "/t/qindu/register", _details(units, display_name="<i>刘芳</i>"))
    await client.post("/t/qindu/register/confirm", data={
        **_details(units, display_name="<i>刘芳</i>"), "code": last_code("13800000021"),
        "_csrf_token": csrf_token(step1.text)})
    home = await client.get("/t/qindu/")
    assert "<i>刘芳</i>" not in home.text and "&lt;i&gt;刘芳&lt;/i&gt;" in home.text
