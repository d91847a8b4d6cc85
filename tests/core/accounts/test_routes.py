"""Log-in, log-out, sessions and CSRF, through HTTP."""

from datetime import timedelta

from core import clock
from core.accounts import sessions
from core.accounts.tables import Session
from core.tenancy import TenantScope
from core.accounts import services
from tests.conftest import PASSWORD
from tests.http import csrf_token, post_form


async def test_log_in_and_out(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    response = await sign_in(client, "13800000001")
    assert response.headers["location"] == "/"
    set_cookie = response.headers["set-cookie"]
    assert "gongzhi_session=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    home = await client.get("/")
    assert "王芳" in home.text
    assert await Session.count() == 1

    logout = await client.post("/logout", data={"_csrf_token": csrf_token(home.text)})
    assert logout.status_code == 303
    assert logout.headers["clear-site-data"] == '"cache", "storage"'  # pages kept offline, queued forms
    assert await Session.count() == 0
    assert "王芳" not in (await client.get("/")).text


async def test_sessions_store_only_a_hash_of_the_token(client, make_person, sign_in):
    await make_person(phone="13800000001")
    await sign_in(client, "13800000001")
    token = client.cookies.get(sessions.COOKIE_NAME)
    stored = await Session.select(Session.token_hash).first()
    assert token and stored["token_hash"] != token and len(stored["token_hash"]) == 64


async def test_wrong_password_keeps_the_identifier_and_says_so(client, make_person):
    await make_person(phone="13800000001")
    response = await post_form(client, "/login", {"identifier": "13800000001", "password": "not it at all"},
                               headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert "账号或密码不正确" in response.text
    assert 'value="13800000001"' in response.text
    assert "not it at all" not in response.text
    assert await Session.count() == 0


async def test_empty_log_in_form_marks_both_fields(client, database):
    response = await post_form(client, "/login", {"identifier": "", "password": ""},
                               headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.text.count("This field is required.") == 2


async def test_posts_without_the_csrf_token_are_refused(client, make_person):
    await make_person(phone="13800000001")
    await client.get("/login")
    response = await client.post("/login", data={"identifier": "13800000001", "password": PASSWORD})
    assert response.status_code == 403
    assert await Session.count() == 0


async def test_next_goes_only_to_this_site(client, make_person):
    await make_person(phone="13800000001")
    for target, expected in (("/t/qindu/", "/t/qindu/"), ("https://evil.example/", "/"), ("//evil.example", "/")):
        client.cookies.clear()
        response = await post_form(client, "/login", {"identifier": "13800000001", "password": PASSWORD,
                                                      "next": target})
        assert response.headers["location"] == expected


async def test_residents_stay_signed_in_for_two_weeks_idle(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    clock.advance(timedelta(days=13))
    assert "王芳" in (await client.get("/")).text
    clock.advance(timedelta(days=14, minutes=1))
    assert "王芳" not in (await client.get("/")).text
    assert await Session.count() == 0


async def test_staff_sessions_end_after_30_minutes_idle(client, tenant, make_person, sign_in):
    person = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), person.id, ["staff"])
    await sign_in(client, "13900000001")
    clock.advance(timedelta(minutes=20))
    assert (await client.get("/t/qindu/console/")).status_code == 200
    clock.advance(timedelta(minutes=31))
    assert (await client.get("/t/qindu/console/")).status_code == 303


async def test_sessions_end_a_month_after_log_in_even_when_used(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    for _ in range(3):
        clock.advance(timedelta(days=10, minutes=1))
        await client.get("/")
    assert "王芳" not in (await client.get("/")).text


async def test_a_log_in_replaces_the_session_the_browser_had(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    first = client.cookies.get(sessions.COOKIE_NAME)
    await sign_in(client, "13800000001")
    assert client.cookies.get(sessions.COOKIE_NAME) != first
    assert await Session.count() == 1


async def test_log_ins_are_throttled_per_account(client, make_person):
    from core.audit.tables import AuditEntry

    await make_person("王芳", "13800000001")
    for _ in range(10):
        response = await post_form(client, "/login", {"identifier": "13800000001", "password": "wrong guess"})
        assert response.status_code == 400
    response = await post_form(client, "/login", {"identifier": "13800000001", "password": PASSWORD},
                               headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 429
    assert "尝试次数过多" in response.text
    assert await Session.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "login.failed") == 11
    clock.advance(timedelta(minutes=16))
    assert (await post_form(client, "/login", {"identifier": "13800000001", "password": PASSWORD})).status_code == 303


async def test_log_ins_are_audited(client, make_person, sign_in):
    from core.audit.tables import AuditEntry

    person = await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    entry = await AuditEntry.objects().where(AuditEntry.action == "login.succeeded").first()
    assert entry.actor_id == person.id and entry.client_address == "127.0.0.1"


async def test_district_log_in_leads_staff_to_the_console(client, tenant, make_person, sign_in):
    person = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), person.id, ["district_admin"])
    response = await sign_in(client, "13900000001", login_path="/t/qindu/login")
    assert response.headers["location"] == "/t/qindu/console/"
    console = await client.get("/t/qindu/console/", headers={"Accept-Language": "zh-CN"})
    assert console.status_code == 200
    assert "王建华" in console.text and "区管理员" in console.text


async def test_console_needs_a_console_role_in_that_district(client, tenant, other_tenant, make_person, sign_in):
    anonymous = await client.get("/t/qindu/console/")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/t/qindu/login?next=/t/qindu/console/"

    person = await make_person("刘芳", "13800000021")
    await services.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    await services.add_membership(TenantScope(other_tenant.id), person.id, ["district_admin"])
    response = await sign_in(client, "13800000021", login_path="/t/qindu/login")
    assert response.headers["location"] == "/t/qindu/"
    assert (await client.get("/t/qindu/console/")).status_code == 403
    assert (await client.get("/t/weicheng/console/")).status_code == 200
