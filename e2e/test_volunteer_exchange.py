"""Volunteer points on a phone, in Chinese: a resident signs up for an activity in 秦都区, checks
in and out by opening the link of the QR code on the organiser's phone, the organiser confirms
the hours and the points appear; the volunteer redeems a reward in 秦都区 and another in the
neighbouring 渭城区 through the province's exchange; 渭城's merchant checks the code once; and
渭城's settlement statement shows the points that came from 秦都.

The people, the rewards, the exchange and the activity (by the server's clock) are set up in
the server's own database before the journey, as the consoles would; the plugin is switched
off in both districts after it."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, assert_no_horizontal_scroll, sign_in_to, unique_phone

CHINA = timezone(timedelta(hours=8))
BASE = "/p/volunteer_exchange"

SETUP = """
import json, sys
from core.accounts import services as accounts
from core.cli import _run
from core.plugins import enablement
from core.tenancy import TenantScope
from tenants.resolution import resolve

async def person(scope, name, phone, roles):
    identifier = accounts.Identifier("phone", phone)
    found = await accounts.find_person(identifier) or await accounts.create_person(name, identifier, "gongzhi2026")
    await accounts.add_membership(scope, found.id, roles)
    return found

async def main(enable, plan):
    qindu, weicheng = TenantScope((await resolve("qindu")).id), TenantScope((await resolve("weicheng")).id)
    from plugins.volunteer_exchange import activities, rewards
    for scope in (qindu, weicheng):
        if not enable:
            await rewards.leave_exchange(scope, None)
        await enablement.set_enabled(scope, "volunteer_exchange", enable, actor_id=None)
    if not enable:
        return
    phones = plan["phones"]
    organiser = await person(qindu, "社工小周", phones["organiser"], ["volunteer_exchange.organiser"])
    await person(qindu, "志愿者小李", phones["volunteer"], ["resident"])
    await person(weicheng, "志愿者小李", phones["volunteer"], ["resident"])
    await person(qindu, "秦都商家", phones["qindu_merchant"], ["volunteer_exchange.merchant"])
    await person(weicheng, "渭城商家", phones["weicheng_merchant"], ["volunteer_exchange.merchant"])
    admin = await person(weicheng, "渭城管理员", phones["weicheng_admin"], ["district_admin"])
    for scope, title, merchant in ((qindu, "秦都理发券", phones["qindu_merchant"]),
                                   (weicheng, "渭城公园门票", phones["weicheng_merchant"])):
        await rewards.add(scope, admin.id, {"title": title, "provider": title[:2] + "商家", "price": "5",
                                            "stock": "10", "valid_until": plan["valid_until"], "merchant": merchant})
        await rewards.join_exchange(scope, admin.id)
    activity = await activities.post(qindu, organiser.id, {
        "title": "社区环境清扫", "place": "渭阳西路社区广场", "starts_at": plan["starts_at"], "ends_at": plan["ends_at"],
        "capacity": "5", "points_per_hour": "10"})
    print(activity.id)

_run(main(sys.argv[1] == "on", json.loads(sys.argv[2])))
"""

PHONES = {role: unique_phone("136") for role in ("organiser", "volunteer", "qindu_merchant", "weicheng_merchant",
                                                  "weicheng_admin")}


def _setup(server: LiveServer, enable: bool, plan: dict | None = None) -> str:
    done = subprocess.run([server.python, "-c", SETUP, "on" if enable else "off", json.dumps(plan or {})],
                          env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _server_now(request_context, base_url: str) -> datetime:
    return datetime.fromisoformat(request_context.get(f"{base_url}/_test/clock").json()["now"]).astimezone(CHINA)


@pytest.fixture(scope="module")
def activity_id(live_server: LiveServer | None, base_url: str, playwright) -> Iterator[str]:
    if live_server is None:
        pytest.skip("the journey sets the plugin up in its own server's database (not --base-url)")
    request = playwright.request.new_context()
    now = _server_now(request, base_url)
    request.dispose()
    start = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    activity = _setup(live_server, True, {
        "phones": PHONES, "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "valid_until": (now + timedelta(days=90)).strftime("%Y-%m-%d")})
    yield activity
    _setup(live_server, False)


def _shown_link(page: Page, base_url: str, activity_id: str, purpose: str) -> str:
    """The organiser's phone: the code page for checking in or out, and the link its QR holds."""
    sign_in_to(page, base_url, "qindu", PHONES["organiser"])
    page.goto(f"{base_url}/t/qindu{BASE}/manage/activities/{activity_id}/code?purpose={purpose}")
    expect(page.locator("#qr svg")).to_be_visible()
    expect(page.locator("#short-code")).to_have_text(re.compile(r"^\d{6}$"))
    assert_no_horizontal_scroll(page)
    return page.locator("#link").inner_text().strip()


def test_hours_become_points_spent_in_two_districts(page: Page, base_url: str, activity_id: str, test_clock: str):
    sign_in_to(page, base_url, "qindu", PHONES["volunteer"])
    page.goto(f"{base_url}/t/qindu{BASE}/activities/{activity_id}")
    page.locator("#sign-up-form button").click()
    expect(page.locator("#signed-up")).to_be_visible()
    assert_no_horizontal_scroll(page)

    # Check in: the volunteer's camera opens the link of the QR code; a tap checks in.
    link = _shown_link(page, base_url, activity_id, "in")
    sign_in_to(page, base_url, "qindu", PHONES["volunteer"])
    page.goto(link)
    page.get_by_role("button", name="立即签到").click()
    expect(page.locator("#done")).to_contain_text("签到成功")

    # An hour and twenty minutes later, after the end: check out the same way.
    assert page.request.post(test_clock, data={"advance_seconds": 80 * 60}).ok
    link = _shown_link(page, base_url, activity_id, "out")
    sign_in_to(page, base_url, "qindu", PHONES["volunteer"])
    page.goto(link)
    page.get_by_role("button", name="立即签退").click()
    expect(page.locator("#done")).to_contain_text("签退成功")

    # The organiser confirms the hour (capped at the activity's length): 10 points.
    sign_in_to(page, base_url, "qindu", PHONES["organiser"])
    page.goto(f"{base_url}/t/qindu{BASE}/manage/activities/{activity_id}")
    expect(page.locator("#roster")).to_contain_text("60 分钟")
    page.get_by_role("button", name="确认时长").click()
    expect(page.locator("#roster")).to_contain_text("10 积分")

    sign_in_to(page, base_url, "qindu", PHONES["volunteer"])
    page.goto(f"{base_url}/t/qindu{BASE}/")
    expect(page.locator("#points-total")).to_have_text("10")
    # A reward of 秦都, then one of 渭城, each for 5 points.
    page.locator("#rewards-link").click()
    page.locator("#reward-list li").filter(has_text="秦都理发券").get_by_role("button", name="兑换").click()
    expect(page.locator("#redemption-list")).to_contain_text("秦都理发券")
    expect(page.locator("#points-total")).to_have_text("5")
    assert_no_horizontal_scroll(page)

    sign_in_to(page, base_url, "weicheng", PHONES["volunteer"])
    page.goto(f"{base_url}/t/weicheng{BASE}/rewards/")
    page.locator("#reward-list li").filter(has_text="渭城公园门票").get_by_role("button", name="兑换").click()
    code = page.locator("#redemption-list li").filter(has_text="渭城公园门票").locator(".code").inner_text()
    expect(page.locator("#points-total")).to_have_text("0")

    # 渭城's merchant checks the code once.
    sign_in_to(page, base_url, "weicheng", PHONES["weicheng_merchant"])
    page.goto(f"{base_url}/t/weicheng{BASE}/merchant/")
    page.locator("#f-code").fill(code)
    page.locator("#verify-form button").click()
    expect(page.locator("#verified")).to_contain_text("渭城公园门票")
    page.locator("#f-code").fill(code)
    page.locator("#verify-form button").click()
    expect(page.locator("#problem")).to_contain_text("已于")

    # 渭城's statement: 5 points of 秦都's volunteers were spent here.
    sign_in_to(page, base_url, "weicheng", PHONES["weicheng_admin"])
    page.goto(f"{base_url}/t/weicheng{BASE}/console/")
    row = page.locator("#statement-table tbody tr").filter(has_text="qindu")
    expect(row.locator("td").nth(2)).to_have_text("5")
    expect(row.locator("td").nth(3)).to_have_text("5")
    assert_no_horizontal_scroll(page)


def test_the_pages_pass_axe(browser, browser_context_args, base_url: str, activity_id: str):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(**{**browser_context_args, "bypass_csp": True})
    page = context.new_page()
    pages = {
        ("qindu", "volunteer"): ("/", f"/activities/{activity_id}", "/rewards/"),
        ("qindu", "organiser"): ("/manage/", f"/manage/activities/{activity_id}",
                                 f"/manage/activities/{activity_id}/code"),
        ("weicheng", "weicheng_merchant"): ("/merchant/",),
        ("weicheng", "weicheng_admin"): ("/console/",),
    }
    try:
        for (slug, who), paths in pages.items():
            sign_in_to(page, base_url, slug, PHONES[who])
            for path in paths:
                page.goto(f"{base_url}/t/{slug}{BASE}{path}")
                results = Axe().run(page)
                assert results.violations_count == 0, (path, results.generate_report())
                assert_no_horizontal_scroll(page)
    finally:
        context.close()
