"""axe-core on every resident page (e2e/pages.py takes them from the route table), in normal
and in elderly mode, with every rule axe has switched on by default and none turned off:
no violation. axe comes inside the axe-playwright-python wheel (no network at test time).

axe is injected by script, which the pages' Content-Security-Policy forbids: these tests'
browser context bypasses the policy, and a test of its own checks that the policy is sent.
Keyboard use: the elderly-mode switch is reached and used with the keyboard alone.
"""

from __future__ import annotations

import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.pages import filled_urls, resident_routes, visit_as

ROUTES = resident_routes()
AXE = Axe()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="module")
def urls(browser, browser_context_args, base_url: str) -> dict[str, str]:
    return filled_urls(browser, browser_context_args, base_url)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.path)
def test_axe_finds_no_violation(page: Page, base_url: str, urls: dict, route, elderly: bool) -> None:
    visit_as(page, base_url, route, urls[route.path], elderly=elderly)
    results = AXE.run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.violations_count == 0, results.generate_report()


def test_a_resident_page_sends_its_content_security_policy(base_url: str) -> None:
    with urllib.request.urlopen(f"{base_url}/t/qindu/notices") as response:
        policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src" in policy and "script-src" in policy, policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_the_elderly_switch_by_keyboard_alone(page: Page, base_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/t/qindu/")
    switch = page.locator("form.elderly-switch button")
    for _ in range(20):
        page.keyboard.press("Tab")
        if switch.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the elderly-mode switch")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class("elderly")
    page.locator(".big-tiles a").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/t/qindu/notices")


def test_the_sweep_would_see_a_violation(page: Page, base_url: str) -> None:
    """axe runs for real here: an image without a text alternative is reported."""
    page.goto(f"{base_url}/t/qindu/help")
    page.evaluate("document.querySelector('main').append(Object.assign(new Image(20, 20), {src: '/x.png'}))")
    results = AXE.run(page)
    assert "image-alt" in [violation["id"] for violation in results.response["violations"]]
    assert len(results.response["passes"]) > 10 and results.response["testEngine"]["version"] >= "4"
