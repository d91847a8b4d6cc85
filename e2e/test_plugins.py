"""A district admin enables the example plugin (社区停车管理, installed like any third party's);
a resident finds its tile and applies; disabled, it is gone; enabled again, the application is
still there; the other district never sees it. On a phone, in Chinese."""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, sign_in_to_qindu

ADMIN = "13900000001"
RESIDENT = "13900000021"  # 刘芳


def _switch(page: Page, base_url: str, button: str, *, forget_to_accept: bool = False) -> None:
    sign_in_to_qindu(page, base_url, ADMIN)
    page.goto(f"{base_url}/t/qindu/console/")
    page.get_by_role("link", name="插件").click()
    card = page.locator("#plugin-parking")
    expect(card).to_contain_text("社区停车管理")
    if forget_to_accept:
        card.get_by_role("button", name=button).click()
        card = page.locator("#plugin-parking")
        expect(card.get_by_role("alert")).to_contain_text("请阅读它可以做什么，并勾选以表示接受")
    if button == "启用":
        card.get_by_label("我同意它在本区做以上事情").check()
    card.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/console/plugins$"))
    assert_no_horizontal_scroll(page)


def test_an_admin_enables_the_parking_plugin_and_a_resident_uses_it(page: Page, base_url: str):
    page.goto(f"{base_url}/t/qindu/")
    expect(page.get_by_role("link", name=re.compile("社区停车管理"))).to_have_count(0)

    _switch(page, base_url, "启用", forget_to_accept=True)
    expect(page.locator("#plugin-parking")).to_have_attribute("data-state", "enabled")
    expect(page.locator("#plugin-parking")).to_contain_text("已启用")

    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/")
    tile = page.locator(".tile").get_by_role("link", name=re.compile("社区停车管理"))
    expect(tile).to_be_visible()
    assert_no_horizontal_scroll(page)
    tile.click()
    expect(page.get_by_role("heading", name="社区停车管理", level=1)).to_be_visible()
    page.get_by_label("社区", exact=True).select_option(index=1)
    page.get_by_label("车牌号").fill("陕D1234")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # a plate of six characters is refused
    expect(page.get_by_label("车牌号")).to_have_value("陕D1234")
    page.get_by_label("车牌号").fill("陕D12345")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status")).to_contain_text("您的申请已提交")
    expect(page.locator(".parking-list")).to_contain_text("陕D12345")
    assert_no_horizontal_scroll(page)

    _switch(page, base_url, "停用")
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/")
    expect(page.locator(".tile")).to_have_count(0)
    answer = page.goto(f"{base_url}/t/qindu/p/parking/")
    assert answer.status == 404

    _switch(page, base_url, "启用")
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/p/parking/")
    expect(page.locator(".parking-list")).to_contain_text("陕D12345")  # the data was kept

    page.goto(f"{base_url}/t/weicheng/")
    expect(page.locator(".tile")).to_have_count(0)
    assert page.goto(f"{base_url}/t/weicheng/p/parking/").status == 404
