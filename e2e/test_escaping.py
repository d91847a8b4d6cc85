"""What people type comes back as text, never as markup, in a real browser: a sample of pages
that echo input straight back (a refused log-in, a refused registration, a search) and that
show it to others later (a resident's complaint, on their page and in the staff console). On
each, the typed markup is read as text, no element it names exists, and no script it carries
runs. (Every form's answers are checked in the HTML by tests/test_bad_input.py; the browser is
the proof for a sample.)"""

import re

from playwright.sync_api import Page, expect

from e2e.conftest import sign_in_to_qindu, unique_phone

MARKUP = '<script>window.__pwned=1</script><img id="pwned" src="x" onerror="window.__pwned=2">'
SHORT = '<img id=pwned src=x onerror=window.__pwned=2>'  # for fields of at most 50 characters
RESIDENT, GRID_WORKER = "13900000021", "13900000012"


def _watch(page: Page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def _nothing_ran(page: Page, dialogs: list[str]) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("window.__pwned") is None, "a script from what was typed ran"
    assert page.locator("#pwned").count() == 0, "what was typed became an element"
    assert dialogs == []


def test_a_refused_log_in_and_registration_show_the_markup_as_text(page: Page, base_url: str):
    dialogs = _watch(page)
    page.goto(f"{base_url}/t/qindu/login")
    page.get_by_label("手机号或邮箱").fill(MARKUP)
    page.get_by_label("密码").fill("whatever-it-is")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_label("手机号或邮箱")).to_have_value(MARKUP)  # kept as typed
    _nothing_ran(page, dialogs)

    page.goto(f"{base_url}/t/qindu/register")
    page.get_by_label("您的姓名").fill(SHORT)
    page.get_by_label("手机号或邮箱").fill(unique_phone())
    page.get_by_role("button", name="发送验证码").click()  # no community chosen: refused, and shown again
    expect(page.get_by_label("您的姓名")).to_have_value(SHORT)
    _nothing_ran(page, dialogs)


def test_a_search_shows_the_markup_as_text(page: Page, base_url: str):
    dialogs = _watch(page)
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/notices?q={MARKUP}")
    _nothing_ran(page, dialogs)


def test_a_complaint_with_markup_is_text_for_its_resident_and_for_staff(page: Page, base_url: str):
    dialogs = _watch(page)
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/feedback/new")
    page.get_by_label("诉求类别").select_option(label="环境卫生")
    page.get_by_label("发生了什么，在哪里").fill(f"楼道里有人写了 {MARKUP}")
    page.get_by_label("地点（不选则为您所在的社区）").select_option(label="北大街社区 第1网格")
    page.get_by_role("button", name="提交").click()
    number = page.get_by_role("heading", level=1)
    expect(number).to_have_text(re.compile(r"^QD-\d{4}-\d{6}$"))
    tracking = number.inner_text()
    expect(page.get_by_text(MARKUP, exact=False).first).to_be_visible()
    _nothing_ran(page, dialogs)

    sign_in_to_qindu(page, base_url, GRID_WORKER)
    page.goto(f"{base_url}/t/qindu/console/feedback")
    page.get_by_role("link", name=tracking).click()
    expect(page.get_by_text(MARKUP, exact=False).first).to_be_visible()
    _nothing_ran(page, dialogs)
