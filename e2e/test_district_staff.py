"""Journeys of district staff, on a phone: invitations, scoped consoles, a second factor."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, unique_phone

DEMO_PASSWORD = "gongzhi2026"


def _sign_in(page: Page, base_url: str, slug: str, phone: str, password: str):
    page.goto(f"{base_url}/t/{slug}/login")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _invite(page: Page, base_url: str, slug: str, admin_phone: str, name: str, phone: str, role: str,
            unit: str | None = None):
    _sign_in(page, base_url, slug, admin_phone, DEMO_PASSWORD)
    page.get_by_role("link", name="邀请工作人员").click()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label(role).check()
    if unit:
        page.get_by_label("所属范围").select_option(label=unit)
    page.get_by_role("button", name="发送邀请").click()
    expect(page.get_by_role("status")).to_contain_text(f"邀请已发送至 {phone}")
    page.get_by_role("button", name="退出").click()


def _accept(page: Page, outbox, phone: str, name: str, password: str):
    text = outbox.last_sms(phone)["text"]
    link = re.search(r"(https?://\S+/invitations/[A-Z0-9]{10})", text).group(1)
    page.goto(link.replace("http://127.0.0.1:8000", page.url.split("/t/")[0].rstrip("/")))
    page.get_by_label("您的姓名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="接受并创建账号").click()


def test_an_invited_grid_worker_sees_only_their_grid(page: Page, base_url: str, outbox):
    phone = unique_phone("135")
    _invite(page, base_url, "qindu", "13900000001", "周小军", phone, "网格员", "北大街社区 第2网格")
    page.goto(f"{base_url}/t/qindu/")
    _accept(page, outbox, phone, "周小军", "Grid-Two-Beidajie-8")
    expect(page).to_have_url(f"{base_url}/t/qindu/console/")
    expect(page.get_by_text("第2网格")).to_be_visible()
    expect(page.get_by_text("第1网格")).to_have_count(0)
    expect(page.get_by_text("西兰路街道")).to_have_count(0)
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="退出").click()
    _sign_in(page, base_url, "qindu", phone, "Grid-Two-Beidajie-8")
    expect(page).to_have_url(f"{base_url}/t/qindu/console/")
    expect(page.get_by_text("第2网格")).to_be_visible()


def test_staff_set_up_a_required_second_factor_and_sign_in_with_it(page: Page, base_url: str, outbox):
    """In a district of its own (so that no other journey or demo user is held to the rule)."""
    import secrets

    from core.accounts import totp
    from e2e.test_platform_admins import PLATFORM_ADMIN_PHONE, _apply

    slug = f"chunhua-{secrets.token_hex(3)}"
    admin_phone, staff_phone = unique_phone("133"), unique_phone("134")
    _apply(page, base_url, slug, admin_phone, name="淳化县", code="610430")
    page.goto(f"{base_url}/login")
    page.get_by_label("手机号或邮箱").fill(PLATFORM_ADMIN_PHONE)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(f'li.application[data-slug="{slug}"]').get_by_role("button", name="通过").click()
    page.get_by_role("button", name="退出").click()

    # The new district's admin invites a member of staff and requires a second factor.
    _sign_in(page, base_url, slug, admin_phone, "liquan-admin-2026")
    page.get_by_role("link", name="邀请工作人员").click()
    page.get_by_label("姓名").fill("钱红梅")
    page.get_by_label("手机号或邮箱").fill(staff_phone)
    page.get_by_label("社区工作人员").check()
    page.get_by_role("button", name="发送邀请").click()
    page.goto(f"{base_url}/t/{slug}/console/")
    page.get_by_label("工作人员必须使用二次验证").check()
    page.get_by_role("button", name="保存").first.click()
    page.get_by_role("button", name="退出").click()

    # The invitee accepts and is sent to set up the second factor before the console opens.
    _accept(page, outbox, staff_phone, "钱红梅", "Chunhua-Staff-2026")
    expect(page.get_by_role("alert").first).to_contain_text("本区要求工作人员使用二次验证")
    assert_no_horizontal_scroll(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("验证码").fill(totp.code_at(secret, totp.current_step()))
    page.get_by_role("button", name="开启").click()
    expect(page.get_by_role("status")).to_contain_text("二次验证已开启")
    page.get_by_role("link", name="继续").click()
    expect(page).to_have_url(f"{base_url}/t/{slug}/console/")

    # Next time: password, then the code.
    page.get_by_role("button", name="退出").click()
    _sign_in(page, base_url, slug, staff_phone, "Chunhua-Staff-2026")
    expect(page).to_have_url(f"{base_url}/login/second-factor")
    # The next time step's code (a phone a few seconds ahead shows it): not used yet.
    page.get_by_label("验证码").fill(totp.code_at(secret, totp.current_step() + 1))
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/t/{slug}/console/")
