"""A publisher's plugin from scaffold to a resident's phone: built with the CLI, uploaded in the
browser, approved by the platform admin, installed by the operator, enabled by a district admin
after accepting what it may do; a resident of that district uses it, the other district sees
nothing; a rejected version shows its reason to the publisher. In Chinese, on a phone.

The platform runs in a throwaway environment of its own, so that the operator's install never
touches the test run's environment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO_PASSWORD, LiveServer, assert_no_horizontal_scroll
from tests.environments import throwaway_environment

PLATFORM_ADMIN = "13900000000"
DISTRICT_ADMIN = "13900000001"
RESIDENT = "13900000021"  # 刘芳
PUBLISHER = "13900000022"
PACKAGE = "gongzhi_lanterns"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    python = throwaway_environment(tmp_path_factory.mktemp("platform") / "env")
    server = LiveServer(python=str(python))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build(platform: LiveServer, folder: Path, out: Path) -> Path:
    built = platform.gongzhi("plugin", "build", str(folder), "--out", str(out))
    return Path(built.stdout.splitlines()[0])


def _sign_in(page: Page, url: str, phone: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def _upload(page: Page, base: str, wheel: Path, changelog: str) -> None:
    _sign_in(page, f"{base}/login", PUBLISHER)
    page.goto(f"{base}/marketplace/publish")
    page.get_by_label("wheel 文件（.whl）").set_input_files(str(wheel))
    page.get_by_label("此版本的更新说明").fill(changelog)
    page.get_by_role("button", name="上传并提交审核").click()
    expect(page).to_have_url(re.compile(r"/marketplace/publish$"))
    assert_no_horizontal_scroll(page)


def test_a_published_plugin_reaches_the_residents_of_the_district_that_enables_it(
        page: Page, platform: LiveServer, tmp_path: Path):
    base = platform.url

    # The author scaffolds the plugin, names it and says what it may do, and builds its wheel.
    platform.gongzhi("plugin", "new", "lanterns", "--dir", str(tmp_path))
    folder = tmp_path / "gongzhi-lanterns"
    manifest = folder / PACKAGE / "manifest.toml"
    _edit(manifest, 'zh-Hans = "Lanterns（中文名称）"', 'zh-Hans = "灯谜会"')
    _edit(manifest, "capabilities = []", 'capabilities = ["notify:send"]')
    wheel = _build(platform, folder, tmp_path / "dist")

    # The platform admin makes them a publisher.
    _sign_in(page, f"{base}/login", PLATFORM_ADMIN)
    page.goto(f"{base}/admin")
    page.get_by_role("link", name="插件发布者").click()
    page.get_by_label("手机号或邮箱").fill(PUBLISHER)
    page.get_by_role("button", name="授予发布者角色").click()
    expect(page.locator(".publishers")).to_contain_text(PUBLISHER)

    # They upload it in the browser: it waits for review.
    _upload(page, base, wheel, "第一个版本。")
    release = page.locator('[data-release="lanterns==0.1.0"]')
    expect(release).to_contain_text("待审核")

    # The platform admin reads what it may do and approves it.
    _sign_in(page, f"{base}/login", PLATFORM_ADMIN)
    page.goto(f"{base}/admin/marketplace")
    expect(page.get_by_text("灯谜会").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("向人员发送通知")
    page.get_by_role("button", name="通过").click()
    expect(page.locator("main")).to_contain_text("没有待审核的版本")

    # The operator installs exactly the approved wheel, and restarts the platform.
    installed = platform.gongzhi("plugin", "install", "lanterns")
    assert "Installed lanterns 0.1.0" in installed.stdout or "已安装" in installed.stdout
    platform.restart()

    # The marketplace lists it for districts.
    page.goto(f"{base}/marketplace")
    expect(page.locator("main")).to_contain_text("灯谜会")
    assert_no_horizontal_scroll(page)

    # Qindu's admin enables it after accepting what it may do.
    _sign_in(page, f"{base}/t/qindu/login", DISTRICT_ADMIN)
    page.goto(f"{base}/t/qindu/console/plugins")
    card = page.locator("#plugin-lanterns")
    expect(card).to_contain_text("向人员发送通知")
    card.get_by_label("我同意它在本区做以上事情").check()
    card.get_by_role("button", name="启用").click()
    expect(page.locator("#plugin-lanterns")).to_have_attribute("data-state", "enabled")

    # A resident of qindu finds its tile and its page.
    _sign_in(page, f"{base}/t/qindu/login", RESIDENT)
    page.goto(f"{base}/t/qindu/")
    tile = page.locator(".tile").get_by_role("link", name=re.compile("灯谜会"))
    expect(tile).to_be_visible()
    tile.click()
    expect(page.get_by_role("heading", name="灯谜会", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page)

    # Weicheng did not enable it: nothing of it shows there.
    page.goto(f"{base}/t/weicheng/")
    expect(page.locator(".tile").get_by_role("link", name=re.compile("灯谜会"))).to_have_count(0)
    assert page.goto(f"{base}/t/weicheng/p/lanterns/").status == 404

    # A second version is rejected; the publisher reads why.
    _edit(manifest, 'version = "0.1.0"', 'version = "0.2.0"')
    _edit(folder / "pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"')
    second = _build(platform, folder, tmp_path / "dist2")
    _upload(page, base, second, "第二个版本。")
    _sign_in(page, f"{base}/login", PLATFORM_ADMIN)
    page.goto(f"{base}/admin/marketplace")
    page.get_by_label("驳回理由（发布者可见）").fill("请用一句话写清楚插件为居民做什么。")
    page.get_by_role("button", name="驳回").click()
    _sign_in(page, f"{base}/login", PUBLISHER)
    page.goto(f"{base}/marketplace/publish")
    rejected = page.locator('[data-release="lanterns==0.2.0"]')
    expect(rejected).to_contain_text("已驳回")
    expect(rejected).to_contain_text("请用一句话写清楚插件为居民做什么。")
