"""Legal aid on a phone, in Chinese: a migrant worker owed wages asks for help through the
green channel; the rights adviser finds it first in their queue, sees what the guide asks
for and what is still missing, and answers; the worker books a lawyer's duty hour. A
neighbour dispute is picked up from the queue and becomes a people's mediation that ends in
an agreement, with the reminder about judicial confirmation.

The district's office, adviser, lawyer and the lawyer's duty hours (by the server's clock,
which earlier journeys moved on) are set up in the server's own database before the
journeys, and the plugin is switched off after them."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, assert_no_horizontal_scroll, sign_in_to_qindu, unique_phone

CHINA = timezone(timedelta(hours=8))
BASE = "/t/qindu/p/legal_aid"
ADVISER = "13900000091"  # 赵敏, the community's rights adviser
LAWYER = "13900000092"  # 钱律师, a duty lawyer

SETUP = """
import asyncio, json, sys
from core.accounts import services as accounts
from core.cli import _run
from core.plugins import enablement
from core.tenancy import TenantScope
from tenants.resolution import resolve

async def main(enable, plan):
    scope = TenantScope((await resolve("qindu")).id)
    await enablement.set_enabled(scope, "legal_aid", enable, actor_id=None)
    if not enable:
        return
    from plugins.legal_aid import duty, people
    from plugins.legal_aid.handle import plugin
    communities = {f"community_{row['id']}": "1" for row in await plugin.communities(scope)}
    first_community = (await plugin.communities(scope))[0]["id"]
    office = await people.add_office(scope, None, {"name": "秦都区法律服务所", "kind": "legal_service", **communities})
    ids = {}
    for name, phone, role, kind in plan["people"]:
        identifier = accounts.Identifier("phone", phone)
        person = await accounts.find_person(identifier) or await accounts.create_person(name, identifier, "gongzhi2026")
        await accounts.add_membership(scope, person.id, [role])
        await people.add_adviser(scope, None, {"phone": phone, "kind": kind, "office": str(office.id),
                                               "licence_number": "16101201810001234", "area_wages": "1",
                                               "area_neighbours": "1", **communities})
        ids[kind] = person.id
    day = plan["day"]
    await duty.schedule(scope, ids["lawyer"], {"legal_aid.lawyer"}, {
        "lawyer": str(ids["lawyer"]), "mode": "on_site", "community": str(first_community),
        f"day{plan['weekday']}": "1", "start": "09:00", "end": "11:30", "minutes": "30", "first_day": day,
        "last_day": day, "place": "社区服务中心二楼"})

_run(main(sys.argv[1] == "on", json.loads(sys.argv[2])))
"""


def _setup(server: LiveServer, enable: bool, plan: dict | None = None) -> None:
    done = subprocess.run([server.python, "-c", SETUP, "on" if enable else "off", json.dumps(plan or {})],
                          env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def service(live_server: LiveServer | None, base_url: str, playwright) -> Iterator[LiveServer]:
    if live_server is None:
        pytest.skip("the journeys set the service up in their own server's database (not --base-url)")
    request = playwright.request.new_context()
    server_now = datetime.fromisoformat(request.get(f"{base_url}/_test/clock").json()["now"])
    request.dispose()
    day = (server_now.astimezone(CHINA) + timedelta(days=2)).date()
    _setup(live_server, True, {"day": day.isoformat(), "weekday": day.isoweekday(),
                               "people": [["赵敏", ADVISER, "legal_aid.adviser", "adviser"],
                                          ["钱律师", LAWYER, "legal_aid.lawyer", "lawyer"]]})
    yield live_server
    _setup(live_server, False)


@pytest.fixture
def resident(page: Page, base_url: str, service: LiveServer) -> str:
    """A new resident of 秦都区, signed in on their phone."""
    phone = unique_phone("135")
    _make_resident(service, phone)
    sign_in_to_qindu(page, base_url, phone)
    return phone


def _make_resident(server: LiveServer, phone: str) -> None:
    script = """
import sys
from core.accounts import services as accounts
from core.cli import _run
from core.tenancy import TenantScope
from tenants.resolution import resolve

async def main(phone):
    scope = TenantScope((await resolve("qindu")).id)
    person = await accounts.create_person("务工人员", accounts.Identifier("phone", phone), "gongzhi2026")
    await accounts.add_membership(scope, person.id, ["resident"])

_run(main(sys.argv[1]))
"""
    done = subprocess.run([server.python, "-c", script, phone], env=server.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def _ask(page: Page, base_url: str, matter: str, description: str, green: str = "", reason: str = "") -> str:
    page.goto(f"{base_url}{BASE}/")
    page.locator("#ask").click()
    page.locator("#f-matter").select_option(matter)
    page.locator("#f-description").fill(description)
    if green:
        page.locator("#f-green").select_option(green)
        page.locator("#f-green_reason").fill(reason)
    page.locator("#ask-form button[type=submit]").click()
    expect(page.locator("#sent")).to_be_visible()
    assert_no_horizontal_scroll(page)
    return page.url.split("?")[0]


def _adviser_desk(browser, base_url: str) -> Page:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh-CN"})
    desk = context.new_page()
    sign_in_to_qindu(desk, base_url, ADVISER)
    return desk


def test_a_worker_owed_wages_goes_through_the_green_channel_and_books_a_lawyer(
        page: Page, base_url: str, resident: str, browser):
    request = _ask(page, base_url, "wages", "我在工地干了三个月，老板一直拖欠工资八千元，快过年了还不给。",
                   green="migrant_wages", reason="建筑工地农民工，被欠薪三个月")
    expect(page.locator("#green")).to_contain_text("被欠薪的农民工")
    expect(page.locator("#adviser")).to_have_text("赵敏")
    # The guide: its steps, the hotline, and the materials to tick off as they are gathered.
    expect(page.locator("#steps li").first).to_be_visible()
    expect(page.locator("#hotline a[href='tel:12348']").first).to_be_visible()
    page.locator("input[name=material_0]").check()
    page.locator("#materials-form button[type=submit]").click()
    expect(page.locator("input[name=material_0]")).to_be_checked()

    desk = _adviser_desk(browser, base_url)
    try:
        desk.goto(f"{base_url}{BASE}/console/")
        first = desk.locator("#mine li").first
        expect(first).to_have_attribute("data-green", "1")
        first.get_by_role("link").click()
        expect(desk.locator("#description")).to_contain_text("拖欠工资八千元")
        expect(desk.locator("#missing li")).to_have_count(3)
        expect(desk.locator("#missing")).to_contain_text("劳动合同")
        desk.locator("#f-note").fill("请补充劳动合同或考勤记录，我陪您去劳动保障监察大队投诉。")
        desk.locator("#answer-form button[type=submit]").first.click()
        expect(desk.locator("#state")).to_have_attribute("data-state", "in_progress")
        assert_no_horizontal_scroll(desk)
    finally:
        desk.context.close()

    page.goto(request)
    expect(page.locator("#timeline")).to_contain_text("我陪您去劳动保障监察大队投诉")
    # A lawyer's duty hour in the community.
    page.goto(f"{base_url}{BASE}/duty")
    first_hour = page.locator("#free-hours li").first
    expect(first_hour).to_contain_text("钱律师")
    first_hour.get_by_role("button").click()
    expect(page.locator("#booked")).to_be_visible()
    expect(page.locator("#my-bookings li")).to_have_count(1)
    assert_no_horizontal_scroll(page)


def test_a_neighbour_dispute_becomes_a_mediation_that_ends_in_an_agreement(
        page: Page, base_url: str, resident: str, browser):
    request = _ask(page, base_url, "neighbours", "楼上邻居每天深夜在家装修，噪音很大，多次沟通无果。")
    consultation_id = request.rsplit("/", 1)[1]
    desk = _adviser_desk(browser, base_url)
    try:
        desk.goto(f"{base_url}{BASE}/console/")
        waiting = desk.locator(f"#consultation-{consultation_id}")
        expect(waiting).to_be_visible()
        waiting.get_by_role("button").click()
        expect(desk).to_have_url(re.compile(rf"/consultations/{consultation_id}$"))
        desk.locator("#mediation summary").click()
        desk.locator("#mediation-form #f-parties").fill("楼上住户 李先生，电话 13700000000")
        desk.locator("#mediation-form button[type=submit]").click()
        expect(desk).to_have_url(re.compile(r"/cases/\d+$"))
        case = desk.url
        desk.locator("#f-date").fill("2026-12-20")
        desk.locator("#f-time").fill("19:00")
        desk.locator("#f-place").fill("社区人民调解室")
        desk.locator("#session-form #f-note").fill("双方同意晚上十点后停止施工")
        desk.locator("#session-form button[type=submit]").click()
        expect(desk.locator("#sessions li")).to_have_count(1)
        desk.locator("input[name=outcome][value=agreement]").check()
        desk.locator("#outcome-form button[type=submit]").click()
        expect(desk.locator("#case-state")).to_have_attribute("data-state", "agreement")
        assert_no_horizontal_scroll(desk)
    finally:
        desk.context.close()
    page.goto(case)
    expect(page.locator("#confirmation")).to_contain_text("司法确认")
    expect(page.locator("#sessions")).to_contain_text("晚上十点后停止施工")
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_the_residents_pages_pass_axe(browser, browser_context_args, base_url: str, service: LiveServer,
                                      elderly: bool):
    from axe_playwright_python.sync_playwright import Axe

    phone = unique_phone("135")
    _make_resident(service, phone)
    context = browser.new_context(**{**browser_context_args, "bypass_csp": True})
    page = context.new_page()
    try:
        sign_in_to_qindu(page, base_url, phone)
        if elderly:
            page.goto(f"{base_url}/t/qindu/")
            page.get_by_role("button", name=re.compile("开启长辈模式")).click()
        request = _ask(page, base_url, "tenancy", "房东到期不退押金三千元，多次联系不回复。")
        for path in ("/", "/ask", "/duty", "/guides/wages", request.split(BASE, 1)[1]):
            page.goto(f"{base_url}{BASE}{path}")
            results = Axe().run(page)
            assert results.violations_count == 0, (path, results.generate_report())
            assert_no_horizontal_scroll(page)
    finally:
        context.close()
