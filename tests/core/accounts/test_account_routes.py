"""Signing in by code, resetting, the account page, the language switch and devices."""

import pytest

from core.accounts import passwords
from core.accounts.tables import Person, Session
from tests.conftest import PASSWORD
from tests.http import csrf_token, last_code, last_email, post_form


async def test_sign_in_by_code(client, make_person):
    await make_person("王芳", "13800000001")
    step1 = await post_form(client, "/login/code", {"identifier": "13800000001"}, headers={"Accept-Language": "zh-CN"})
    assert step1.status_code == 200 and "验证码正在发送中" in step1.text
    done = await client.post("/login/code/check", data={
        "identifier": "13800000001", "code": last_code("13800000001"), "_csrf_token": csrf_token(step1.text)})
    assert done.status_code == 303
    assert "王芳" in (await client.get("/")).text


async def test_a_code_for_an_unknown_number_looks_the_same_and_sends_nothing(client, database):
    from core.config import Settings
    from core.messaging import outbox

    response = await post_form(client, "/login/code", {"identifier": "13800000009"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200 and "验证码正在发送中" in response.text
    assert outbox.read(Settings.from_env().outbox_dir / "sms", to="13800000009") == []


async def test_reset_by_phone_code(client, make_person):
    await make_person("王芳", "13800000001")
    step1 = await post_form(client, "/password/reset", {"identifier": "13800000001"})
    done = await client.post("/password/reset/code", data={
        "identifier": "13800000001", "code": last_code("13800000001"), "password": "Xianyang-Qindu-88",
        "_csrf_token": csrf_token(step1.text)})
    assert done.status_code == 303
    person = await Person.objects().first()
    assert passwords.verify_password(person.password_hash, "Xianyang-Qindu-88")


async def test_reset_by_email_link_once(client, make_person):
    from core.accounts import services

    await services.create_person("李娜", services.Identifier("email", "li.na@example.com"), PASSWORD)
    await post_form(client, "/password/reset", {"identifier": "Li.Na@example.com"})
    email = last_email("li.na@example.com")
    link = next(line for line in email["body"].splitlines() if "/password/reset/link?" in line).strip()
    path = link.split("127.0.0.1:8000", 1)[1]
    form = await client.get(path)
    assert form.status_code == 200
    data = {"identifier": "li.na@example.com", "token": path.split("token=", 1)[1],
            "password": "Weicheng-River-77", "_csrf_token": csrf_token(form.text)}
    assert (await client.post("/password/reset/link", data=data)).status_code == 303
    again = await client.post("/password/reset/link", data={**data, "password": "Another-Pass-99",
                                                            "_csrf_token": csrf_token((await client.get(path)).text)},
                              headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 422 and "已使用过" in again.text


@pytest.mark.parametrize("weak", ["12345678", "password", "aaaaaaaa", "13800000001", "abcdefgh"])
async def test_weak_passwords_are_refused(client, make_person, sign_in, weak):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await post_form(client, "/account/password", {"current": PASSWORD, "password": weak},
                               headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "太容易被猜到" in response.text


async def test_change_password_signs_out_other_devices(app, client, make_person, sign_in):
    from tests.http import http_client

    await make_person("王芳", "13800000001")
    async with http_client(app) as other_device:
        await sign_in(other_device, "13800000001")
        await sign_in(client, "13800000001")
        assert await Session.count() == 2
        wrong = await post_form(client, "/account/password", {"current": "not mine", "password": "New-Secret-2026"})
        assert wrong.status_code == 422
        done = await post_form(client, "/account/password", {"current": PASSWORD, "password": "New-Secret-2026"})
        assert done.status_code == 303
        assert await Session.count() == 1
        assert "王芳" not in (await other_device.get("/")).text
        assert "王芳" in (await client.get("/")).text


async def test_profile_language_and_elderly_mode(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await post_form(client, "/account", {"display_name": "王芳芳", "language": "en", "elderly_mode": "1"})
    assert response.status_code == 303
    page = await client.get("/account", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en" class="elderly">' in page.text
    assert "Your account" in page.text
    person = await Person.objects().first()
    assert (person.display_name, person.language, person.elderly_mode) == ("王芳芳", "en", True)


async def test_the_language_switch_works_signed_out_and_is_kept(client, database):
    page = await client.get("/", headers={"Accept-Language": "zh-CN"})
    response = await client.post("/language", data={"language": "en", "next": "/onboard",
                                                    "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303 and response.headers["location"] == "/onboard"
    assert '<html lang="en"' in (await client.get("/onboard", headers={"Accept-Language": "zh-CN"})).text


async def test_devices_can_be_listed_and_ended(app, client, make_person, sign_in):
    from tests.http import http_client

    await make_person("王芳", "13800000001")
    async with http_client(app) as phone:
        await sign_in(phone, "13800000001")
        await sign_in(client, "13800000001")
        page = await client.get("/account/sessions", headers={"Accept-Language": "zh-CN"})
        assert page.text.count('class="application"') == 2 and "当前设备" in page.text
        ended = await client.post("/account/sessions/end-others", data={"_csrf_token": csrf_token(page.text)})
        assert ended.status_code == 303
        assert "王芳" not in (await phone.get("/")).text
        assert "王芳" in (await client.get("/")).text


async def test_a_person_cannot_end_anothers_session(app, client, make_person, sign_in):
    from tests.http import http_client

    await make_person("王芳", "13800000001")
    await make_person("陈明", "13800000002")
    async with http_client(app) as other:
        await sign_in(other, "13800000002")
        theirs = await Session.objects().first()
        await sign_in(client, "13800000001")
        page = await client.get("/account/sessions")
        await client.post(f"/account/sessions/{theirs.id}/end", data={"_csrf_token": csrf_token(page.text)})
        assert "陈明" in (await other.get("/")).text


async def test_the_elderly_switch_works_signed_out_without_script(client, tenant):
    home = await client.get("/t/qindu/", headers={"Accept-Language": "en"})
    assert 'action="/elderly-mode"' in home.text and "Switch on elderly mode" in home.text
    response = await client.post("/elderly-mode", data={"elderly_mode": "1", "next": "/t/qindu/",
                                                        "_csrf_token": csrf_token(home.text)})
    assert response.status_code == 303 and response.headers["location"] == "/t/qindu/"
    page = await client.get("/t/qindu/", headers={"Accept-Language": "en"})
    assert 'class="elderly"' in page.text and "Switch off elderly mode" in page.text
    assert 'class="big-tiles"' in page.text and "/t/qindu/help" in page.text
    await client.post("/elderly-mode", data={"elderly_mode": "0", "next": "/t/qindu/",
                                             "_csrf_token": csrf_token(page.text)})
    assert 'class="elderly"' not in (await client.get("/t/qindu/")).text


async def test_the_elderly_switch_is_kept_on_the_account(client, tenant, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await post_form(client, "/t/qindu/", {"elderly_mode": "1", "next": "//elsewhere.example"},
                               action="/elderly-mode")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await Person.objects().first()).elderly_mode is True
    client.cookies.delete("gongzhi_elderly")  # another device: the account brings it back at sign-in
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN" class="elderly">' in page.text


async def test_the_elderly_switch_needs_the_csrf_token(client, tenant):
    response = await client.post("/elderly-mode", data={"elderly_mode": "1", "next": "/t/qindu/"})
    assert response.status_code == 403
