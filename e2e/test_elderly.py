"""长辈模式 measured in Chromium, from computed styles, on every resident page (e2e/pages.py
takes them from the route table), to MIIT's guidelines for elderly-friendly apps (2021):

- text: every visible piece of text on the page is at least 18 px in elderly mode, with a
  line height of at least 1.3 times its size; consecutive paragraphs are spaced by more
  than their line spacing (at least half a line between them);
- main controls: at least 60 × 60 CSS px in elderly mode and 44 × 44 otherwise. Main
  controls are the page's buttons (also links styled as buttons, ``a.button``), the home
  page's tiles (``.big-tiles a``, ``.tile a``), the header's navigation (``.site-nav a``),
  the lists of links of a page (``.links a``) and the form fields (input, select, textarea;
  a checkbox or radio button by its label). Links inside running text are not: WCAG 2.5.8
  exempts them, and they are underlined in elderly mode (nothing told by colour alone);
- no pop-up (dialog, alert) and no page that refreshes itself;
- no sideways scroll at 360 px, and reflow without it at 320 px (WCAG 2.1, 1.4.10);
- the switch on the home page works without script and returns to the page; a suggestion
  sent in elderly mode is asked one question per screen and goes as one normal post, in
  Chinese and in English, axe clean at each step.

The offline page (one copy for everyone, kept by the worker) and the notice's print view
(paper) have no elderly class: they are measured as they are, already large enough.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll
from e2e.pages import filled_urls, resident_routes, sign_in_resident, visit_as

ROUTES = resident_routes()
AXE = Axe()

MAIN_CONTROLS = ("button, a.button, .big-tiles a, .tile a, .site-nav a, .links a, "
                 "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, "
                 "label:has(> input[type=checkbox]), label:has(> input[type=radio])")

# Every visible element with text of its own: its size, line height and where it is.
_TEXT = """() => {
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const own = Array.from(element.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || element.closest('[hidden], .visually-hidden, script, style, noscript')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize);
    const line = style.lineHeight === 'normal' ? 1.2 * size : parseFloat(style.lineHeight);
    found.push({text: element.textContent.trim().slice(0, 30), tag: element.tagName, size, line});
  }
  return found;
}"""

_PARAGRAPHS = """() => Array.from(document.querySelectorAll('main p')).filter(p => {
  const next = p.nextElementSibling;
  return next && next.tagName === 'P' && p.offsetHeight && next.offsetHeight;
}).map(p => {
  const next = p.nextElementSibling;
  return {text: p.textContent.trim().slice(0, 30), line: parseFloat(getComputedStyle(p).lineHeight),
          gap: next.getBoundingClientRect().top - p.getBoundingClientRect().bottom};
})"""

_CONTROLS = """(selector) => Array.from(document.querySelectorAll(selector)).filter(element => {
  const box = element.getBoundingClientRect();
  return box.width && box.height && !element.closest('[hidden]') && getComputedStyle(element).visibility !== 'hidden';
}).map(element => {
  const box = element.getBoundingClientRect();
  return {what: element.tagName + ' ' + (element.textContent.trim() || element.name || '').slice(0, 30),
          width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10};
})"""


@pytest.fixture(scope="module")
def urls(browser, browser_context_args, base_url: str) -> dict[str, str]:
    """Each resident route's URL, filled from the demo data (once for the module)."""
    return filled_urls(browser, browser_context_args, base_url)


def _small_controls(page: Page, least: float) -> list[dict]:
    return [c for c in page.evaluate(_CONTROLS, MAIN_CONTROLS) if c["width"] < least or c["height"] < least]


_PLAIN_LINKS = """() => Array.from(document.querySelectorAll('main a[href]')).filter(a =>
  !a.matches('.button, .big-tiles a, .tile a') && a.offsetHeight &&
  !getComputedStyle(a).textDecorationLine.includes('underline')).map(a => a.textContent.trim().slice(0, 30))"""


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.path)
def test_every_resident_page_in_elderly_mode(page: Page, base_url: str, urls: dict, route) -> None:
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visit_as(page, base_url, route, urls[route.path], elderly=True)
    if page.locator("main.offline, body.print").count() == 0:  # one copy for everyone; paper
        expect(page.locator("html")).to_have_class("elderly")
    texts = page.evaluate(_TEXT)
    assert texts, "the page shows no text"
    small = [t for t in texts if t["size"] < 18]
    assert not small, f"text under 18 px in elderly mode: {small[:8]}"
    tight = [t for t in texts if t["line"] < 1.3 * t["size"] - 0.01]
    assert not tight, f"line height under 1.3: {tight[:8]}"
    close = [p for p in page.evaluate(_PARAGRAPHS) if p["gap"] < 0.5 * p["line"]]
    assert not close, f"paragraphs spaced no more than lines: {close[:8]}"
    small_controls = _small_controls(page, 60)
    assert not small_controls, f"main controls under 60 × 60 in elderly mode: {small_controls[:8]}"
    # Nothing by colour alone: links in the text are underlined. No pop-up, nothing that
    # changes the page by itself.
    assert not page.evaluate(_PLAIN_LINKS), "links told apart by colour alone"
    assert page.locator("meta[http-equiv=refresh], dialog[open]").count() == 0
    page.wait_for_timeout(300)
    assert not dialogs, f"pop-ups: {dialogs}"
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.path)
def test_every_resident_page_in_normal_mode(page: Page, base_url: str, urls: dict, route) -> None:
    visit_as(page, base_url, route, urls[route.path], elderly=False)
    small_controls = _small_controls(page, 44)
    assert not small_controls, f"main controls under 44 × 44: {small_controls[:8]}"
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


def test_the_switch_on_the_home_page_works_without_script(browser, browser_context_args, base_url: str) -> None:
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    try:
        page = context.new_page()
        page.goto(f"{base_url}/t/qindu/")
        expect(page.locator("html")).not_to_have_class("elderly")
        page.locator("form.elderly-switch button").click()
        expect(page).to_have_url(f"{base_url}/t/qindu/")
        expect(page.locator("html")).to_have_class("elderly")
        expect(page.locator(".big-tiles a")).to_have_count(4)
        page.locator("form.elderly-switch button").click()
        expect(page.locator("html")).not_to_have_class("elderly")
    finally:
        context.close()


def _axe_clean(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def resident_switches_back(page: Page, base_url: str):
    """The switch is kept on 刘芳's account: the other journeys find her in normal mode again."""
    yield
    sign_in_resident(page, base_url)
    page.context.add_cookies([{"name": "gongzhi_elderly", "value": "1", "url": base_url}])
    page.goto(f"{base_url}/t/qindu/")
    page.locator("form.elderly-switch button").click()  # "switch off": kept on her account
    expect(page.locator("html")).not_to_have_class("elderly")


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_suggestion_in_elderly_mode_one_question_per_screen(page: Page, base_url: str, language: str,
                                                             resident_switches_back) -> None:
    sign_in_resident(page, base_url)
    page.context.add_cookies([{"name": "gongzhi_language", "value": language, "url": base_url},
                              {"name": "gongzhi_elderly", "value": "0", "url": base_url}])
    page.goto(f"{base_url}/t/qindu/")
    expect(page.locator("html")).to_have_attribute("lang", "en" if language == "en" else "zh-CN")
    page.locator("form.elderly-switch button").click()
    expect(page.locator("html")).to_have_class("elderly")
    _axe_clean(page)
    page.locator(".big-tiles a[href$='/feedback/new']").click()
    _axe_clean(page)
    form = page.locator("form[data-steps]")
    category = page.locator("#f-category")
    description = page.locator("#f-description")
    expect(category).to_be_visible()
    expect(description).to_be_hidden()
    expect(form.locator(".step-count")).to_contain_text("1")
    send = form.locator("button[type=submit]")
    expect(send).to_be_hidden()
    # Nothing chosen, straight to the end: the server's answer opens the step to correct,
    # with what was typed kept.
    next_button = form.locator(".step-nav button").nth(1)
    next_button.click()
    expect(category).to_be_hidden()
    expect(description).to_be_visible()
    description.fill("楼道灯坏了，晚上看不见台阶。")
    while send.is_hidden():
        next_button.click()
    assert_no_horizontal_scroll(page)
    key = form.locator("input[name=idempotency_key]").input_value()
    send.click()
    expect(page.locator("#f-category")).to_be_visible()
    expect(page.locator("#e-category")).to_be_visible()
    _axe_clean(page)
    expect(page.locator("#f-description")).to_be_hidden()
    assert page.locator("#f-description").input_value() == "楼道灯坏了，晚上看不见台阶。"
    assert page.locator("input[name=idempotency_key]").input_value() == key
    page.locator("#f-category").select_option(index=1)
    next_button = page.locator("form[data-steps] .step-nav button").nth(1)
    address = page.locator("#f-address")
    while address.is_hidden():
        next_button.click()
    address.fill("北大街8号院")
    address.press("Enter")  # Enter goes on to the next question, it never sends early
    expect(address).to_be_hidden()
    assert page.url.endswith("/feedback/new")
    while send.is_hidden():
        next_button.click()
    send.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^QD-\d{4}-\d{6}$"))
    _axe_clean(page)
