"""The mental-health service on a phone, in Chinese: a resident consents, steps through PHQ-9
with a mild result and reads the advice; another answers item 9 with "好几天" and sees the
hotline at once; a third loses the network before the last answer and still has
tel:12356, and when the network returns exactly one referral exists and the counsellor on
duty is told. The counsellor acknowledges it, books a session for the resident and refers
the case up to the community health service centre; a staff member without assignment is
refused the results. In elderly mode the questionnaire is one question per screen.

The district's service and its counsellor are set up in the server's own database before
the journeys (as a district admin would, in the console), and the service is switched off
again after them, so that the other journeys see the district as the demo made it."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, assert_no_horizontal_scroll, sign_in_to_qindu

CHINA = timezone(timedelta(hours=8))

BASE = "/t/qindu/p/mental_health"
COUNSELLOR = "13900000071"  # 孙倩, a counsellor of 秦都区
STAFF = "13900000011"  # 李秀英, community staff: no assignment
MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # 6: mild, item 9 none
ITEM_9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # item 9: 好几天

SETUP = """
import asyncio, sys
from core.accounts import services as accounts
from core.cli import _run
from core.plugins import enablement
from core.tenancy import TenantScope
from tenants.resolution import resolve

async def main(enable, people):
    scope = TenantScope((await resolve("qindu")).id)
    await enablement.set_enabled(scope, "mental_health", enable, actor_id=None)
    for name, phone, roles in people:
        identifier = accounts.Identifier("phone", phone)
        person = await accounts.find_person(identifier) or await accounts.create_person(name, identifier, "gongzhi2026")
        await accounts.add_membership(scope, person.id, roles)

_run(main(sys.argv[1] == "on", [tuple(p.split(":")[:2]) + (p.split(":")[2].split(","),) for p in sys.argv[2:]]))
"""


def _setup(server: LiveServer, enable: bool, *people: str) -> None:
    subprocess.run([server.python, "-c", SETUP, "on" if enable else "off", *people], env=server.env, check=True,
                   capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def service(live_server: LiveServer | None) -> Iterator[LiveServer]:
    if live_server is None:
        pytest.skip("the journeys set the service up in their own server's database (not --base-url)")
    _setup(live_server, True, f"孙倩:{COUNSELLOR}:mental_health.counsellor")
    yield live_server
    _setup(live_server, False)


def _referrals(server: LiveServer, phone: str) -> list[tuple]:
    with sqlite3.connect(server.var_dir / "e2e.sqlite3") as db:
        return db.execute(
            "SELECT r.id, r.level, r.state, r.urgent FROM mental_health_referral r"
            " JOIN accounts_person p ON p.id = r.person_id WHERE p.phone = ?", (phone,)).fetchall()


def _consent(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}{BASE}/screening/phq9")
    expect(page).to_have_url(re.compile(r"/consent\?needed=1"))
    page.get_by_label(re.compile("我已阅读以上内容，并单独表示同意")).check()
    page.get_by_role("button", name="我同意").click()
    expect(page).to_have_url(re.compile(r"/screening/phq9$"))


def _answer(page: Page, answers: list[int], *, upto: int | None = None) -> None:
    """Answer the questions one screen at a time (the first ``upto`` of them)."""
    for number, value in enumerate(answers[:upto], start=1):
        question = page.locator(f"#q-item{number}")
        expect(question).to_be_visible()
        expect(page.locator("fieldset[data-item]:visible")).to_have_count(1)
        question.locator(f"input[value='{value}']").check()
        if number < len(answers):
            page.get_by_role("button", name="下一题").click()


@pytest.mark.usefixtures("service")
def test_a_mild_result_comes_with_advice(page: Page, base_url: str, unique_resident):
    _consent(page, base_url)
    expect(page.locator("#screening-progress")).to_have_text("第 1 题，共 9 题")
    _answer(page, MILD)
    expect(page.locator("#crisis-now")).to_be_hidden()
    page.get_by_role("button", name="提交我的回答").click()
    expect(page).to_have_url(re.compile(r"/screenings/\d+$"))
    expect(page.locator("[data-band]")).to_have_attribute("data-band", "mild")
    expect(page.get_by_text("这很常见")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_item_9_shows_the_hotline_at_once(page: Page, base_url: str, service: LiveServer, unique_resident):
    _consent(page, base_url)
    _answer(page, ITEM_9)
    # Before anything is sent: the hotline's message, with the number to tap.
    expect(page.locator("#crisis-now")).to_be_visible()
    expect(page.locator("#hotline a[href='tel:12356']")).to_be_visible()
    assert _referrals(service, unique_resident) == []
    page.get_by_role("button", name="提交我的回答").click()
    expect(page).to_have_url(re.compile(r"/screenings/\d+$"))
    expect(page.locator("#call-back")).to_be_visible()
    assert [(level, state, urgent) for _id, level, state, urgent in _referrals(service, unique_resident)] == [
        ("community_station", "sent", 1)]


def test_offline_before_the_last_answer_still_one_referral_and_the_counsellor_acts(
        page: Page, base_url: str, service: LiveServer, unique_resident, browser):
    _consent(page, base_url)
    _answer(page, ITEM_9, upto=8)
    page.context.set_offline(True)
    page.locator("#q-item9 input[value='1']").check()
    page.get_by_role("button", name="提交我的回答").click()
    expect(page.locator("#screening-waiting")).to_be_visible()
    expect(page.locator("#hotline a[href='tel:12356']")).to_be_visible()
    expect(page.locator("#crisis-now")).to_be_visible()
    time.sleep(1)
    assert _referrals(service, unique_resident) == []
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/screenings/\d+$"), timeout=15000)
    [(referral_id, level, state, urgent)] = _referrals(service, unique_resident)
    assert (level, state, urgent) == ("community_station", "sent", 1)

    # The counsellor is told, acknowledges, books a session for the resident, refers up.
    counsellor = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    desk = counsellor.new_page()
    try:
        sign_in_to_qindu(desk, base_url, COUNSELLOR)
        desk.goto(f"{base_url}/t/qindu/inbox")
        expect(desk.get_by_text("紧急：一位居民可能处于危机中").first).to_be_visible(timeout=10000)
        desk.goto(f"{base_url}{BASE}/console/referrals/{referral_id}")
        desk.locator("#acknowledge").click()
        expect(desk.locator("#referral")).to_have_attribute("data-state", "accepted")
        _book_a_session(desk, base_url, referral_id)
        desk.goto(f"{base_url}{BASE}/console/referrals/{referral_id}")
        desk.get_by_label("转介至").select_option("health_centre")
        desk.get_by_label("提供的情况摘要").fill("近两周情绪低落，已电话回访，同意转介社区卫生服务中心")
        desk.get_by_label("居民已同意本次转介，并同意提供这份摘要").check()
        desk.get_by_role("button", name="转介", exact=True).click()
        expect(desk.locator("#referral")).to_have_attribute("data-level", "health_centre")
        assert_no_horizontal_scroll(desk)
    finally:
        counsellor.close()
    assert sorted((level, state) for _id, level, state, _urgent in _referrals(service, unique_resident)) == [
        ("community_station", "closed"), ("health_centre", "sent")]

    # Staff of the community, with no assignment, are refused the results.
    result = page.url
    sign_in_to_qindu(page, base_url, STAFF)
    response = page.goto(result)
    assert response.status == 404
    expect(page.locator("[data-band]")).to_have_count(0)


def _book_a_session(desk: Page, base_url: str, referral_id: int) -> None:
    """The counsellor offers a session tomorrow (by the server's clock, which earlier journeys
    moved on) and books it for the resident of the referral."""
    from datetime import datetime

    server_now = datetime.fromisoformat(desk.request.get(f"{base_url}/_test/clock").json()["now"])
    tomorrow = (server_now.astimezone(CHINA) + timedelta(days=1)).date().isoformat()
    desk.goto(f"{base_url}{BASE}/console/appointments/")
    offer = desk.locator("form[action$='/appointments/slot']")
    offer.locator("#f-day").fill(tomorrow)
    offer.locator("#f-start").fill("10:00")
    offer.locator("#f-minutes").fill("50")
    offer.locator("button[type=submit]").click()
    desk.goto(f"{base_url}{BASE}/console/referrals/{referral_id}")
    desk.get_by_role("link", name="居民档案").click()
    # Not yet theirs: the record is refused, and the counsellor takes the resident on.
    expect(desk.locator("#refused")).to_be_visible()
    record = desk.url
    desk.locator("#take button").click()
    desk.goto(record)
    expect(desk.locator("[data-band]").first).to_be_visible()
    desk.locator("#book-for button[type=submit]").click()
    expect(desk.locator("#booked")).to_be_visible()
    expect(desk.locator("#booking-list li")).to_have_count(1)


@pytest.mark.usefixtures("service")
def test_elderly_mode_asks_one_question_per_screen(page: Page, base_url: str, unique_resident):
    page.goto(f"{base_url}/t/qindu/")
    page.get_by_role("button", name=re.compile("开启长辈模式")).click()
    expect(page.locator("html")).to_have_class(re.compile("elderly"))
    _consent(page, base_url)
    for number in range(1, 4):
        expect(page.locator("fieldset[data-item]:visible")).to_have_count(1)
        expect(page.locator(f"#q-item{number}")).to_be_visible()
        page.locator(f"#q-item{number} input[value='0']").check()
        page.get_by_role("button", name="下一题").click()
    page.get_by_role("button", name="上一题").click()
    expect(page.locator("#q-item3")).to_be_visible()
    expect(page.locator("#hotline a[href='tel:12356']")).to_be_visible()
    assert_no_horizontal_scroll(page)


@pytest.fixture
def unique_resident(page: Page, base_url: str, service: LiveServer) -> str:
    """A new resident of 秦都区, signed in."""
    from e2e.conftest import unique_phone

    phone = unique_phone("136")
    _setup(service, True, f"居民:{phone}:resident")
    sign_in_to_qindu(page, base_url, phone)
    return phone
