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

