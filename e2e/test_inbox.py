"""Journeys of a resident's inbox, on a phone: the welcome, the badge, reading it."""

import re
import time

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, unique_phone

WELCOME = "欢迎使用共治·秦都区"


def _register(page: Page, base_url: str, outbox, name: str) -> str:
    """Register as a resident of qindu, as the resident journey does; returns the phone."""
    phone = unique_phone("134")
    page.goto(f"{base_url}/t/qindu/")
    page.get_by_role("link", name="登录").click()
    page.get_by_role("link", name="注册成为居民").click()
    page.get_by_label("您的姓名").fill(name)
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("所在社区").select_option(label="人民街道 · 北大街社区")
    page.get_by_label("所在网格").select_option(label="北大街社区 第1网格")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("六位验证码已发送")
    page.get_by_label("验证码").fill(outbox.last_sms(phone)["code"])
    page.get_by_role("button", name="完成注册").click()
    expect(page).to_have_url(f"{base_url}/t/qindu/")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    return phone


def _messages_link(page: Page):
    return page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^消息"))


def _reload_until_badge(page: Page, text: str, timeout: float = 10.0) -> None:
    """The server's jobs run in the background: reload until the header's badge shows ``text``."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        try:
            expect(_messages_link(page).locator(".badge")).to_have_text(text, timeout=1000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def _read_the_welcome(page: Page, base_url: str) -> None:
    _messages_link(page).click()
    expect(page).to_have_url(f"{base_url}/t/qindu/inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("消息")
    expect(page.get_by_text("1 条未读消息。")).to_be_visible()
    welcome = page.get_by_role("button", name=re.compile(WELCOME))
    expect(welcome).to_be_visible()
    expect(welcome).to_contain_text("新")
    assert_no_horizontal_scroll(page)

    welcome.click()
    expect(page).to_have_url(f"{base_url}/t/qindu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("咸阳市秦都区")
    expect(_messages_link(page)).to_be_visible()
    expect(_messages_link(page).locator(".badge")).to_have_count(0)

    # Back in the inbox the welcome is there, read.
    _messages_link(page).click()
    expect(page.get_by_role("button", name=re.compile(WELCOME))).not_to_contain_text("新")
    expect(page.get_by_text("1 条未读消息。")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_a_new_resident_reads_the_welcome_in_their_inbox(page: Page, base_url: str, outbox):
    _register(page, base_url, outbox, "孙秀梅")
    # The welcome comes from the server's background jobs, a moment after registering.
    _reload_until_badge(page, "1")
    _read_the_welcome(page, base_url)


def test_the_test_clock_delivers_the_welcome_at_once(test_clock: str, page: Page, base_url: str, outbox):
    _register(page, base_url, outbox, "马建国")
    # One call runs every job that is due before it answers: no waiting on the background loop.
    response = page.request.post(test_clock, data={})
    assert response.ok, response.text()
    assert response.json()["failures"] == []
    page.reload()
    expect(_messages_link(page).locator(".badge")).to_have_text("1")
    _read_the_welcome(page, base_url)

