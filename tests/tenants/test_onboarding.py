"""/onboard: a district applies; bad input is answered next to the field and nothing half-written stays."""

import pytest

from core.accounts.tables import Membership, MembershipRole, Person
from core.accounts import services as accounts
from core.tenancy import TenantScope
from tenants.tables import Tenant
from tests.conftest import PASSWORD
from tests.http import count_everywhere, csrf_token, post_form

GOOD = {
    "name": "礼泉县",
    "division_code": "610425",
    "city": "",
    "slug": "liquan",
    "admin_name": "郭志刚",
    "identifier": "13700000001",
    "password": PASSWORD,
}


async def _counts():
    return (await Tenant.count(), await Person.count(), await count_everywhere(Membership),
            await count_everywhere(MembershipRole))


async def test_an_application_creates_a_pending_district_and_its_admin(client, database):
    response = await post_form(client, "/onboard", GOOD, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 303
    assert response.headers["location"] == "/onboard/liquan"
    tenant = await Tenant.objects().where(Tenant.slug == "liquan").first()
    assert (tenant.status, tenant.display_name, tenant.province) == ("pending", "咸阳市礼泉县", "陕西省")
    person = await accounts.find_person(accounts.Identifier("phone", "13700000001"))
    assert person.display_name == "郭志刚"
    assert await accounts.roles_in(TenantScope(tenant.id), person.id) == {"district_admin"}
    page = await client.get("/onboard/liquan", headers={"Accept-Language": "zh-CN"})
    assert "正在等待平台审核" in page.text
    assert (await client.get("/t/liquan/")).status_code == 423


async def test_a_retried_application_is_not_a_second_one(client, database):
    page = await client.get("/onboard")
    token = csrf_token(page.text)
    first = await client.post("/onboard", data={**GOOD, "_csrf_token": token})
    again = await client.post("/onboard", data={**GOOD, "_csrf_token": token})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == "/onboard/liquan"
    assert await _counts() == (1, 1, 1, 1)


async def test_an_existing_account_applies_with_its_own_password(client, make_person):
    await make_person("郭志刚", "13700000001", "another-password")
    wrong = await post_form(client, "/onboard", GOOD, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422
    assert "enter that account&#39;s password" in wrong.text
    assert await Tenant.count() == 0
    right = await post_form(client, "/onboard", {**GOOD, "password": "another-password"})
    assert right.status_code == 303
    assert await Person.count() == 1



@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "此项必填。"),
        ("name", "区" * 500, "最多 50 个字符"),
        ("slug", "", "此项必填。"),
        ("slug", "LiQuan", "小写字母"),
        ("slug", "li quan", "小写字母"),
        ("slug", "礼泉", "小写字母"),
        ("slug", "l" * 400, "最多 40 个字符"),
        ("division_code", "61042", "必须是 6 位数字"),
        ("division_code", "６１０４２５", "请使用半角数字"),
        ("division_code", "abcdef", "必须是 6 位数字"),
        ("division_code", "610400", "这是市或省的代码"),
        ("admin_name", "", "此项必填。"),
        ("admin_name", "名" * 500, "最多 50 个字符"),
        ("admin_name", "郭\x00志刚", "包含不能使用的字符"),
        ("identifier", "", "此项必填。"),
        ("identifier", "12345", "请输入 11 位手机号码或电子邮箱地址"),
        ("password", "", "此项必填。"),
        ("password", "short", "至少 8 个字符"),
        ("password", "p" * 1280, "最多 128 个字符"),
    ],
)
async def test_bad_input_is_answered_next_to_the_field(client, database, field, value, message):
    data = {**GOOD, field: value}
    response = await post_form(client, "/onboard", data, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    html = response.text
    assert f'id="e-{field}"' in html, "the message sits next to its field"
    error_at = html.index(f'id="e-{field}"')
    assert message in html[error_at:error_at + 400]
    # What was typed is kept (passwords excepted), the others untouched.
    for other, typed in data.items():
        if other != "password" and typed and "\x00" not in typed:
            assert f'value="{typed}"' in html or f">{typed}<" in html, other
    assert await _counts() == (0, 0, 0, 0)


async def test_a_duplicate_slug_is_answered_next_to_the_field(client, tenant):
    response = await post_form(client, "/onboard", {**GOOD, "slug": "qindu"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "这个网址已被使用" in response.text
    assert await Tenant.count() == 1
    assert await Person.count() == 0


async def test_html_is_shown_escaped(client, database):
    script = "<script>alert('x')</script>"
    response = await post_form(client, "/onboard", {**GOOD, "name": script, "slug": "Bad Slug"})
    assert response.status_code == 422
    assert script not in response.text
    assert "&lt;script&gt;" in response.text


async def test_a_body_over_the_limit_is_refused_with_413(client, database):
    page = await client.get("/onboard")
    response = await client.post(
        "/onboard", data={**GOOD, "name": "区" * 600_000, "_csrf_token": csrf_token(page.text)},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.text
    assert await Tenant.count() == 0


async def test_errors_speak_english_when_asked(client, database):
    response = await post_form(client, "/onboard", {**GOOD, "slug": "Bad Slug"}, headers={"Accept-Language": "en"})
    assert "Use 2 to 40 lowercase letters" in response.text
