"""Journeys of district applicants and the platform admin who reviews them, on a phone."""

import secrets

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, unique_phone

DEMO_PASSWORD = "gongzhi2026"
PLATFORM_ADMIN_PHONE = "13900000000"


def _apply(page: Page, base_url: str, slug: str, phone: str, name: str = "礼泉县", code: str = "610425"):
    page.goto(f"{base_url}/onboard")
    assert_no_horizontal_scroll(page)
    page.get_by_label("区名称").fill(name)
    page.get_by_label("行政区划代码").fill(code)
    page.get_by_label("网址").fill(slug)
    page.get_by_label("姓名").fill("郭志刚")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill("liquan-admin-2026")
    page.get_by_role("button", name="提交申请").click()


def _sign_in(page: Page, base_url: str, path: str, phone: str, password: str):
    page.goto(f"{base_url}{path}")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _sign_out(page: Page):
    page.get_by_role("button", name="退出").click()


def test_a_district_onboards_is_approved_and_its_admin_signs_in(page: Page, base_url: str):
    slug = f"liquan-{secrets.token_hex(3)}"
    phone = unique_phone()

    # The applicant first makes a mistake; the form says where and keeps what was typed.
    _apply(page, base_url, slug, phone, code="６１０４２５")
    expect(page.locator("#e-division_code")).to_contain_text("请使用半角数字")
    expect(page.get_by_label("网址")).to_have_value(slug)
    page.get_by_label("行政区划代码").fill("610425")
    page.get_by_label("密码").fill("liquan-admin-2026")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status")).to_contain_text("正在等待平台审核")
    assert page.goto(f"{base_url}/t/{slug}/").status == 423

    # The platform admin approves it.
    _sign_in(page, base_url, "/login", PLATFORM_ADMIN_PHONE, DEMO_PASSWORD)
    expect(page).to_have_url(f"{base_url}/admin")
    application = page.locator(f'li.application[data-slug="{slug}"]')
    expect(application).to_contain_text("咸阳市礼泉县")
    assert_no_horizontal_scroll(page)
    application.get_by_role("button", name="通过").click()
    expect(page.locator(f'li.application[data-slug="{slug}"]')).to_contain_text("服务中")
    _sign_out(page)

    # The district is live, and its admin signs in to the console.
    assert page.goto(f"{base_url}/t/{slug}/").status == 200
    _sign_in(page, base_url, f"/t/{slug}/login", phone, "liquan-admin-2026")
    expect(page).to_have_url(f"{base_url}/t/{slug}/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.get_by_text("区管理员")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_a_rejected_application_shows_its_reason(page: Page, base_url: str):
    slug = f"xunyi-{secrets.token_hex(3)}"
    _apply(page, base_url, slug, unique_phone(), name="旬邑县", code="610429")
    expect(page.get_by_role("status")).to_contain_text("正在等待平台审核")
    status_page = page.url

    _sign_in(page, base_url, "/login", PLATFORM_ADMIN_PHONE, DEMO_PASSWORD)
    application = page.locator(f'li.application[data-slug="{slug}"]')
    application.get_by_role("button", name="驳回").click()
    # No reason given: the form says so next to the field.
    application = page.locator(f'li.application[data-slug="{slug}"]')
    expect(application.get_by_role("alert")).to_contain_text("请填写原因")
    application.get_by_label("驳回原因").fill("申请材料缺少区政府盖章")
    application.get_by_role("button", name="驳回").click()
    expect(page.locator(f'li.application[data-slug="{slug}"]')).to_contain_text("已驳回")
    _sign_out(page)

    page.goto(status_page)
    expect(page.get_by_role("status")).to_contain_text("未获通过")
    expect(page.get_by_role("status")).to_contain_text("申请材料缺少区政府盖章")
    assert page.goto(f"{base_url}/t/{slug}/").status == 423
    expect(page.get_by_role("alert")).to_contain_text("申请材料缺少区政府盖章")
