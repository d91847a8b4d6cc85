"""TOTP for staff: turned on with a code, asked for at log-in, once per code; recovery codes;
a district can require it of its staff."""

import re
from datetime import timedelta

import pytest

from core import clock
from core.accounts import services, totp
from core.accounts.tables import Person, RecoveryCode, Session
from core.tenancy import TenantScope
from tenants.tables import Tenant
from tests.conftest import PASSWORD
from tests.http import csrf_token, post_form


def test_totp_matches_the_rfc_6238_test_vector():
    # RFC 6238, appendix B: SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"


def _secret(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)


async def _turn_on(client) -> tuple[str, list[str]]:
    page = await client.get("/account/second-factor")
    secret = _secret(page.text)
    done = await client.post("/account/second-factor", data={
        "code": totp.code_at(secret, totp.current_step()), "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{14})</code></li>", done.text)
    return secret, codes


@pytest.fixture
async def staff(tenant, make_person):
    person = await make_person("李秀英", "13900000011")
    await services.add_membership(TenantScope(tenant.id), person.id, ["staff"])
    return person


async def test_turn_on_then_sign_in_with_a_code(client, staff, sign_in):
    clock.set_now(clock.now().replace(second=10), frozen=True)
    await sign_in(client, "13900000011")
    secret, recovery = await _turn_on(client)
    assert len(recovery) == 10 and await RecoveryCode.count() == 10
    assert secret not in ((await Person.objects().first()).totp_secret or "")  # kept encrypted
    client.cookies.clear()
    before = await Session.count()

    first = await post_form(client, "/login", {"identifier": "13900000011", "password": PASSWORD})
    assert first.headers["location"] == "/login/second-factor"
    assert await Session.count() == before
    clock.advance(timedelta(seconds=30))
    page = await client.get("/login/second-factor")
    code = totp.code_at(secret, totp.current_step())
    done = await client.post("/login/second-factor", data={"code": code, "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303 and await Session.count() == before + 1

    # The same code does not work twice.
    client.cookies.clear()
    await post_form(client, "/login", {"identifier": "13900000011", "password": PASSWORD})
    page = await client.get("/login/second-factor")
    reused = await client.post("/login/second-factor", data={"code": code, "_csrf_token": csrf_token(page.text)})
    assert reused.status_code == 400
    # A recovery code does, once.
    recovered = await client.post("/login/second-factor", data={"code": recovery[0], "_csrf_token": csrf_token(page.text)})
    assert recovered.status_code == 303
    assert await RecoveryCode.count().where(RecoveryCode.used_at.is_not_null()) == 1


async def test_a_wrong_code_does_not_turn_it_on(client, staff, sign_in):
    await sign_in(client, "13900000011")
    page = await client.get("/account/second-factor", headers={"Accept-Language": "zh-CN"})
    response = await client.post("/account/second-factor", data={"code": "000000", "_csrf_token": csrf_token(page.text)},
                                 headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "验证码不正确" in response.text
    assert (await Person.objects().first()).totp_enabled_at is None


async def test_the_pending_step_expires_and_cannot_be_forged(client, staff, sign_in):
    await sign_in(client, "13900000011")
    secret, _codes = await _turn_on(client)
    client.cookies.clear()
    await post_form(client, "/login", {"identifier": "13900000011", "password": PASSWORD})
    clock.advance(timedelta(minutes=6))
    assert (await client.get("/login/second-factor")).status_code == 303
    client.cookies.set("gongzhi_second_factor", "eyJwIjogMX0=.deadbeef")
    assert (await client.get("/login/second-factor")).status_code == 303


async def test_a_district_can_require_it_of_staff(client, tenant, staff, sign_in):
    await Tenant.update({Tenant.require_staff_totp: True}).where(Tenant.id == tenant.id)
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    console = await client.get("/t/qindu/console/")
    assert console.status_code == 303
    assert console.headers["location"].startswith("/account/second-factor?required=1")
    await _turn_on(client)
    assert (await client.get("/t/qindu/console/")).status_code == 200


async def test_turning_it_off_needs_a_code(client, staff, sign_in):
    await sign_in(client, "13900000011")
    secret, recovery = await _turn_on(client)
    page = await client.get("/account/second-factor")
    refused = await client.post("/account/second-factor/off", data={"code": "123", "_csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422
    done = await client.post("/account/second-factor/off", data={"code": recovery[1], "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    assert (await Person.objects().first()).totp_enabled_at is None and await RecoveryCode.count() == 0
