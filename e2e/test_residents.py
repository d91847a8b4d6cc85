"""Journeys of residents and visitors, on a phone."""

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll


def test_landing_lists_the_demo_districts(page: Page, base_url: str):
    page.goto(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name="咸阳市秦都区")).to_be_visible()
    expect(page.get_by_role("link", name="咸阳市渭城区")).to_be_visible()
    expect(page.get_by_text("兴平市")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_a_district_home_shows_its_streets(page: Page, base_url: str):
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="咸阳市秦都区").click()
    expect(page).to_have_url(f"{base_url}/t/qindu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("咸阳市秦都区")
    expect(page.get_by_text("人民街道")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_a_suspended_district_says_so(page: Page, base_url: str):
    response = page.goto(f"{base_url}/t/xingping/")
    assert response is not None and response.status == 423
    expect(page.get_by_role("heading", level=1)).to_have_text("该区暂不可用")
    expect(page.get_by_role("alert")).to_contain_text("暂停服务")
    expect(page.get_by_role("alert")).to_contain_text("服务合同续签中")
    assert_no_horizontal_scroll(page)


def test_an_unknown_district_is_not_found(page: Page, base_url: str):
    response = page.goto(f"{base_url}/t/no-such-district/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("这个地址没有对应的区")



def test_a_resident_registers_by_phone_and_comes_back_by_password(page: Page, base_url: str, outbox):
    from e2e.conftest import unique_phone

    phone = unique_phone("136")
    page.goto(f"{base_url}/t/qindu/")
    page.get_by_role("link", name="登录").click()
    page.get_by_role("link", name="注册成为居民").click()
    page.get_by_label("您的姓名").fill("赵桂兰")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("所在社区").select_option(label="人民街道 · 北大街社区")
    page.get_by_label("所在网格").select_option(label="北大街社区 第1网格")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("六位验证码已发送")
    page.get_by_label("验证码").fill(outbox.last_sms(phone)["code"])
    page.get_by_role("button", name="完成注册").click()
    expect(page).to_have_url(f"{base_url}/t/qindu/")
    expect(page.get_by_role("link", name="赵桂兰")).to_be_visible()

    # English and back, from the switch at the foot of every page.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Streets and communities")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    # Elderly mode, and a password to come back with.
    page.get_by_role("link", name="赵桂兰").click()
    page.get_by_label("长辈模式").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("html")).to_have_class("elderly")
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="设置密码").click()
    page.get_by_label("新密码").fill("Guilan-Beidajie-61")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("密码已修改")

    page.get_by_role("button", name="退出").click()
    page.goto(f"{base_url}/t/qindu/login")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill("Guilan-Beidajie-61")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/t/qindu/")
    expect(page.get_by_role("link", name="赵桂兰")).to_be_visible()
    expect(page.locator("html")).to_have_class("elderly")
