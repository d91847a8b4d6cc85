"""/t/{slug}/inbox/devices: a person turns push on in this browser, sees where it is on and
takes a device off; a subscription that Gongzhi would not send to is refused in their language
and nothing is kept."""

from __future__ import annotations

import re

import pytest

from core.config import Settings
from core.push import services, vapid
from core.push.tables import PushSubscription
from core.tenancy import TenantScope
from tests.http import post_form

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
ANDROID = {**PAGE, "User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"}
DEVICES = "/t/qindu/inbox/devices"


def _form(device) -> dict[str, str]:
    subscription = device.subscription()
    return {"endpoint": subscription["endpoint"], **subscription["keys"]}


async def test_the_page_offers_push_only_after_a_tap_and_is_private(client, tenant, make_person, sign_in):
    assert (await client.get(DEVICES, headers=PAGE)).status_code in (302, 303)  # signed in only
    await make_person("刘芳", "13900000021")
    await sign_in(client, "13900000021")
    page = await client.get(DEVICES, headers=PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'data-key="{vapid.application_server_key(Settings.from_env())}"' in page.text
    assert re.search(r'<form method="post" action="/t/qindu/inbox/devices" data-push-subscribe[^>]* hidden>', page.text)
    assert "还没有在任何手机或电脑上开启。" in page.text
    inbox = await client.get("/t/qindu/inbox", headers=PAGE)
    assert 'href="/t/qindu/inbox/devices"' in inbox.text


async def test_turning_on_keeps_the_device_and_a_second_person_takes_the_browser_over(
        client, tenant, make_person, sign_in, receiver):
    first = await make_person("刘芳", "13900000021")
    second = await make_person("陈明", "13900000022")
    phone = receiver.device("phone")
    await sign_in(client, "13900000021")
    response = await post_form(client, DEVICES, _form(phone), headers=ANDROID)
    assert response.status_code == 303 and response.headers["location"] == f"{DEVICES}?added=1"
    page = await client.get(response.headers["location"], headers=PAGE)
    assert "已为这部手机开启通知。" in page.text and "Chrome · Android" in page.text
    assert f'data-device-endpoint="{phone.endpoint}"' in page.text
    scope = TenantScope(tenant.id)
    assert [device.label for device in await services.devices(scope, first.id)] == ["Chrome · Android"]
    # Sent again (the page reloaded): still one.
    await post_form(client, DEVICES, _form(phone), headers=ANDROID)
    assert await scope.count(PushSubscription) == 1

    await client.post("/logout", data={"_csrf_token": re.search(r'name="_csrf_token" value="([^"]+)"',
                                                                  page.text).group(1)})
    await sign_in(client, "13900000022")
    await post_form(client, DEVICES, _form(phone), headers=ANDROID)
    assert await services.devices(scope, first.id) == []
    assert len(await services.devices(scope, second.id)) == 1


@pytest.mark.parametrize(("change", "language", "message"), [
    ({"endpoint": "http://169.254.169.254/latest/meta-data"}, "zh-CN", "这个浏览器的推送服务不在共治可以发送的范围内"),
    ({"endpoint": "https://fcm.googleapis.com.example.net/fcm/send/x"}, "en",
     "push service is not one Gongzhi can send to. Your messages still reach your inbox"),
    ({"endpoint": "http://fcm.googleapis.com/fcm/send/x"}, "en", "push service is not one Gongzhi can send to."),
    ({"p256dh": "BAAA"}, "zh-CN", "浏览器提供的订阅无法使用，请重试。"),
    ({"auth": ""}, "en", "The browser gave a subscription that cannot be used. Try again."),
])
async def test_a_subscription_gongzhi_would_not_send_to_is_refused(client, tenant, make_person, sign_in, receiver,
                                                                   change, language, message):
    await make_person("刘芳", "13900000021")
    await sign_in(client, "13900000021")
    headers = {"Accept": "text/html", "Accept-Language": language}
    response = await post_form(client, DEVICES, {**_form(receiver.device("phone")), **change}, headers=headers)
    assert response.status_code == 422
    assert response.text.count(message) == 1
    assert await TenantScope(tenant.id).count(PushSubscription) == 0


async def test_a_person_takes_off_their_own_devices_only(client, tenant, make_person, sign_in, receiver):
    scope = TenantScope(tenant.id)
    mine = await make_person("刘芳", "13900000021")
    theirs = await make_person("陈明", "13900000022")
    settings = Settings.from_env()
    my_device = await services.subscribe(scope, mine.id, services.clean(settings, _form(receiver.device("a"))), "")
    their_device = await services.subscribe(scope, theirs.id, services.clean(settings, _form(receiver.device("b"))), "")
    await sign_in(client, "13900000021")
    refused = await post_form(client, DEVICES, {}, action=f"{DEVICES}/{their_device}/remove", headers=PAGE)
    assert refused.status_code == 404
    done = await post_form(client, DEVICES, {}, action=f"{DEVICES}/{my_device}/remove", headers=PAGE)
    assert done.status_code == 303 and done.headers["location"] == f"{DEVICES}?removed=1"
    assert await services.devices(scope, mine.id) == []
    assert len(await services.devices(scope, theirs.id)) == 1


@pytest.mark.parametrize(("endpoint", "allowed"), [
    ("https://fcm.googleapis.com/fcm/send/abc", True),
    ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
    ("https://web.push.apple.com/QGx", True),
    ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
    ("http://fcm.googleapis.com/fcm/send/abc", False),
    ("https://fcm.googleapis.com.evil.example/abc", False),
    ("https://evilpush.apple.com/abc", False),
    ("https://user:pass@fcm.googleapis.com/abc", False),
    ("https://fcm.googleapis.com:notaport/abc", False),
    ("http://127.0.0.1:8080/push/x", False),
    ("file:///etc/passwd", False),
])
def test_only_the_named_push_services_are_posted_to(tmp_path, endpoint, allowed):
    settings = Settings(var_dir=tmp_path, database_url="sqlite:///:memory:")
    assert services.allowed_endpoint(settings, endpoint) is allowed
    local = Settings(var_dir=tmp_path, database_url="sqlite:///:memory:", push_services=("http://127.0.0.1",))
    assert services.allowed_endpoint(local, "http://127.0.0.1:8080/push/x")
    assert not services.allowed_endpoint(local, "https://127.0.0.1:8080/push/x")
    assert not services.allowed_endpoint(local, "http://127.0.0.1.nip.io/push/x")


@pytest.mark.parametrize(("agent", "label"), [
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
     "Chrome · Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 "
     "Safari/604.1", "Safari · iPhone"),
    ("Mozilla/5.0 (Linux; Android 13; V2185A) AppleWebKit/537.36 Chrome/107 Mobile Safari/537.36 MicroMessenger/8.0",
     "WeChat · Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox · Windows"),
    ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge · Windows"),
    ("", ""),
])
def test_a_device_is_named_by_its_browser_and_system(agent, label):
    assert services.device_label(agent) == label


def test_the_vapid_key_is_the_deployments_own_and_stays_the_same(tmp_path):
    settings = Settings(var_dir=tmp_path / "one", database_url="sqlite:///:memory:")
    key = vapid.application_server_key(settings)
    assert key == vapid.application_server_key(Settings(var_dir=tmp_path / "one", database_url="sqlite:///:memory:"))
    raw = __import__("base64").urlsafe_b64decode(key + "==")
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point, as browsers take it
    other = Settings(var_dir=tmp_path / "two", database_url="sqlite:///:memory:")
    assert vapid.application_server_key(other) != key  # another deployment (another master key)
    assert vapid.subject(settings) == "mailto:no-reply@gongzhi.localhost"
    assert vapid.subject(Settings(var_dir=tmp_path, database_url="", public_url="https://qindu.gongzhi.cn")) == \
        "https://qindu.gongzhi.cn"
