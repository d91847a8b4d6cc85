"""Web Push on a phone. 刘芳 turns notifications on from her messages page (the browser asks
only after her tap); the community resolves her complaint; Gongzhi's job sends the push,
encrypted and signed, to her push service; the district's real service worker receives it and
shows the notification.

Chromium here cannot reach Google's push service (STACK-NOTES), so an init script makes
``pushManager.subscribe()`` return a subscription aimed at a local receiver that decrypts what
it is sent, and the DevTools Protocol hands the decrypted message to the worker, as the browser's
push service would. No tool can tap a notification: what a tap opens is checked by running the
worker's own script (js/notify.js) against stand-ins for its clients; the real tap is among the
checks done by hand (README)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from e2e.conftest import PHONE, LiveServer, assert_no_horizontal_scroll, sign_in_to_qindu
from tests.push_receiver import PushReceiver

RESIDENT, COMMUNITY_STAFF = "13900000021", "13900000011"
CHINA = timezone(timedelta(hours=8))

# Stands in for the browser's push service client: subscribe() gives the receiver's device.
FAKE_PUSH_MANAGER = """
(() => {
  const device = %s;
  const KEY = "gongzhi-e2e-subscribed";
  const subscription = {
    endpoint: device.endpoint, expirationTime: null, options: {userVisibleOnly: true},
    toJSON: () => device,
    unsubscribe: () => { localStorage.removeItem(KEY); return Promise.resolve(true); },
  };
  if (typeof PushManager === "undefined") { return; }
  PushManager.prototype.subscribe = function (options) {
    localStorage.setItem(KEY, JSON.stringify({userVisibleOnly: options.userVisibleOnly,
                                              key: options.applicationServerKey.byteLength}));
    return Promise.resolve(subscription);
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(localStorage.getItem(KEY) ? subscription : null);
  };
})();
"""


@pytest.fixture(scope="module")
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def server(receiver: PushReceiver) -> Iterator[LiveServer]:
    """A server of the journey's own, which takes the local receiver as a push service and whose
    clock can be set to daytime (outside anyone's quiet hours)."""
    own = LiveServer()
    own.env["GONGZHI_PUSH_SERVICES"] = "fcm.googleapis.com,http://127.0.0.1"
    try:
        own.start()
        yield own
    finally:
        own.stop()


@pytest.fixture
def phone(browser_type, browser_type_launch_args, tmp_path, server: LiveServer) -> Iterator[BrowserContext]:
    """刘芳's phone: a persistent profile (as a phone's browser has), notifications allowed once asked."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, **PHONE, locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN"})
    yield context
    context.close()


def _daytime(page: Page, server: LiveServer) -> None:
    tomorrow = datetime.now(CHINA).date() + timedelta(days=1)
    moment = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=CHINA)
    moved = page.request.post(f"{server.url}/_test/clock", data={"to": moment.isoformat()})
    assert moved.ok, moved.text()


def _worker_registration(context: BrowserContext, page: Page, scope: str) -> tuple[CDPSession, str]:
    """A DevTools session with the ServiceWorker domain on, and the id it knows the district's
    worker registration by."""
    cdp = context.new_cdp_session(page)
    found: dict[str, str] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.update(
        {registration["scopeURL"]: registration["registrationId"] for registration in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    for _ in range(50):
        if scope in found:
            return cdp, found[scope]
        page.wait_for_timeout(100)
    raise AssertionError(f"no worker registration for {scope}: {found}")


def test_a_resident_who_turned_notifications_on_is_told_her_complaint_is_resolved(
        phone: BrowserContext, browser: Browser, server: LiveServer, receiver: PushReceiver):
    base = server.url
    device = receiver.device("liu-fang-phone")
    phone.add_init_script(FAKE_PUSH_MANAGER % json.dumps(device.subscription()))
    page = phone.pages[0] if phone.pages else phone.new_page()
    _daytime(page, server)

    # 刘芳 raises a complaint, then opens "notifications on this phone" from her messages.
    sign_in_to_qindu(page, base, RESIDENT)
    page.goto(f"{base}/t/qindu/feedback/new")
    page.get_by_label("诉求类别").select_option(label="环境卫生")
    page.get_by_label("发生了什么，在哪里").fill("3号楼楼道里的灯坏了一个星期。")
    page.get_by_role("button", name="提交").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^QD-\d{4}-\d{6}$"))
    number, item_path = heading.inner_text(), page.url.removeprefix(base)

    page.goto(f"{base}/t/qindu/inbox")
    page.get_by_role("link", name="本机通知").click()
    assert page.evaluate("Notification.permission") == "default"  # nothing asked before her tap
    expect(page.get_by_text("还没有在任何手机或电脑上开启。")).to_be_visible()
    assert_no_horizontal_scroll(page)
    phone.grant_permissions(["notifications"], origin=base)
    page.get_by_role("button", name="在这部手机上开启通知").click()
    expect(page.get_by_text("已为这部手机开启通知。")).to_be_visible()
    expect(page.get_by_text("本机", exact=True)).to_be_visible()  # the device listed is this one
    asked = page.evaluate("JSON.parse(localStorage.getItem('gongzhi-e2e-subscribed'))")
    assert asked == {"userVisibleOnly": True, "key": 65}  # visible notifications, under the deployment's key
    assert_no_horizontal_scroll(page)
    receiver.deliveries.clear()

    # The community accepts it and resolves it.
    staff = browser.new_context(**PHONE, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"})
    console = staff.new_page()
    sign_in_to_qindu(console, base, COMMUNITY_STAFF)
    console.goto(f"{base}/t/qindu/console/feedback")
    console.get_by_role("link", name=number).click()
    console.get_by_role("button", name="受理", exact=True).click()
    expect(console.get_by_text("已受理").first).to_be_visible()
    console.get_by_label("办理结果", exact=True).fill("已更换楼道灯。")
    console.get_by_role("button", name="办结", exact=True).click()
    expect(console.get_by_text("已办结").first).to_be_visible()
    staff.close()

    # Her push service receives it: encrypted for her phone, signed with the deployment's key.
    messages = receiver.wait_for("liu-fang-phone", count=2)
    assert receiver.refused == []
    assert [message["title"] for message in messages] == [f"{number}已受理。", f"{number}已办结，请对结果进行评价。"]
    assert messages[-1] == {"title": f"{number}已办结，请对结果进行评价。", "body": "", "url": item_path,
                            "urgent": False}

    # The phone's worker gets what the push service delivers, and shows it.
    cdp, registration = _worker_registration(phone, page, f"{base}/t/qindu/")
    shown = "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list => list.map(n => " \
            "({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, icon: n.icon})))"
    notifications: list = []
    # DevTools sometimes drops a delivery to a worker that is still waking on a busy machine:
    # deliver again every 5 s (a notification's tag is its link, so a second one replaces the first).
    for attempt in range(150):
        if attempt % 50 == 0:
            cdp.send("ServiceWorker.deliverPushMessage", {"origin": base, "registrationId": registration,
                                                          "data": json.dumps(messages[-1], ensure_ascii=False)})
        notifications = page.evaluate(shown)
        if notifications:
            break
        page.wait_for_timeout(100)
    assert len(notifications) == 1, notifications
    assert notifications[0]["title"] == f"{number}已办结，请对结果进行评价。"
    assert notifications[0]["url"] == notifications[0]["tag"] == f"{base}{item_path}"
    assert re.fullmatch(rf"{re.escape(base)}/t/qindu/icons/192\.png\?v=\w+", notifications[0]["icon"])

    # She takes this phone off: the browser's subscription ends too, and nothing is listed.
    page.goto(f"{base}/t/qindu/inbox/devices")
    page.get_by_role("button", name=re.compile("^关闭")).click()
    expect(page.get_by_text("已关闭。")).to_be_visible()
    expect(page.get_by_text("还没有在任何手机或电脑上开启。")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription())") is None


TAP = """async ([script, origin]) => {
  await new Promise((done, failed) => { const tag = document.createElement("script"); tag.src = script;
    tag.onload = done; tag.onerror = failed; document.head.appendChild(tag); });
  const scope = "/t/qindu/";
  const calls = [];
  const windowAt = (url, navigates = true) => ({url,
    focus() { calls.push(["focus", url]); return Promise.resolve(this); },
    navigate(to) { calls.push(["navigate", url, to]);
      return navigates ? Promise.resolve(windowAt(to)) : Promise.reject(new TypeError("not controlled")); }});
  const clients = (windows) => ({
    matchAll: (options) => { calls.push(["matchAll", options.type, options.includeUncontrolled]);
      return Promise.resolve(windows); },
    openWindow: (url) => { calls.push(["openWindow", url]); return Promise.resolve(null); }});
  const page = origin + "/t/qindu/feedback/7";
  const results = {};
  const cases = {
    same: [windowAt(origin + "/t/qindu/"), windowAt(page)],
    other: [windowAt("https://example.com/"), windowAt(origin + "/t/qindu/notices")],
    none: [windowAt(origin + "/t/weicheng/")],
    uncontrolled: [windowAt(origin + "/t/qindu/help", false)],
  };
  for (const [name, windows] of Object.entries(cases)) {
    calls.length = 0;
    await GongzhiNotify.open(clients(windows), page, scope, origin);
    results[name] = calls.slice();
  }
  results.targets = ["/t/qindu/feedback/7", "https://evil.example/t/qindu/", "/t/weicheng/notices", "javascript:alert(1)",
                     "", null].map((url) => GongzhiNotify.target(url, scope, origin));
  results.shown = GongzhiNotify.notification({title: "", body: "正文", url: "/t/qindu/notices/3", urgent: true},
                                             scope, origin, "秦都区", "/icon.png");
  results.foreign = GongzhiNotify.notification("not json", scope, origin, "秦都区", "/icon.png");
  return results;
}"""


def test_a_tap_opens_the_page_focusing_a_window_already_open(page: Page, server: LiveServer):
    base = server.url
    page.goto(f"{base}/t/qindu/")
    worker = page.request.get(f"{base}/t/qindu/sw.js").text()
    script = re.search(r'importScripts\("[^"]+", "([^"]+)"\);', worker).group(1)
    results = page.evaluate(TAP, [script, base])
    item = f"{base}/t/qindu/feedback/7"
    look = ["matchAll", "window", True]
    assert results["same"] == [look, ["focus", item]]  # the window showing it: focused, nothing opened
    assert results["other"] == [look, ["focus", f"{base}/t/qindu/notices"],
                                ["navigate", f"{base}/t/qindu/notices", item]]
    assert results["none"] == [look, ["openWindow", item]]  # another district's window is not taken
    assert results["uncontrolled"] == [look, ["focus", f"{base}/t/qindu/help"],
                                       ["navigate", f"{base}/t/qindu/help", item], ["openWindow", item]]
    home = f"{base}/t/qindu/"
    assert results["targets"] == [item, home, home, home, home, home]
    assert results["shown"] == {"title": "秦都区", "options": {
        "body": "正文", "icon": "/icon.png", "tag": f"{base}/t/qindu/notices/3", "renotify": True,
        "requireInteraction": True, "data": {"url": f"{base}/t/qindu/notices/3"}}}
    assert results["foreign"]["title"] == "秦都区" and results["foreign"]["options"]["data"] == {"url": home}
