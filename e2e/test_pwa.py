"""A district's app is installable on a phone: Chromium reports no installability errors for
its home page, the service worker takes scope /t/{slug}/, the page offers "add to home
screen" when the browser allows it, and a page the network cannot bring shows the offline page.

Installability is checked in a persistent context: an ordinary Playwright context is
incognito, and Chromium always answers ``in-incognito`` there (see STACK-NOTES).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PHONE, assert_no_horizontal_scroll

OFFER = re.compile("添加到主屏幕|Add to home screen")
OFFLINE = re.compile("您已离线|You are offline")


@pytest.fixture
def phone(browser_type, browser_type_launch_args, tmp_path):
    """A persistent Chromium context (a profile on disk, as a phone's browser has) at 360 px."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, **PHONE, locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN"})
    yield context
    context.close()


def _ready_scope(page) -> str:
    return page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)")


def test_a_districts_home_page_is_installable(phone, base_url):
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(f"{base_url}/t/qindu/")
    assert _ready_scope(page) == f"{base_url}/t/qindu/"
    cdp = phone.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{base_url}/t/qindu/manifest.webmanifest"
    assert not manifest["errors"], manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    # The worker's caches are the district's own, named with its version.
    names = page.evaluate("caches.keys()")
    assert names and all(name.startswith("gongzhi/qindu/") for name in names), names


def test_chromium_itself_offers_to_install_the_app(phone, base_url):
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(f"{base_url}/t/qindu/")
    # Chromium sends beforeinstallprompt on its own once it finds the app installable.
    offer = page.get_by_role("button", name=OFFER)
    expect(offer).to_be_visible(timeout=15_000)
    offer.click()
    expect(offer).to_be_hidden()


def test_the_offer_waits_for_the_browser_and_prompts_on_click(page, base_url):
    """In an ordinary (incognito) context Chromium never offers installing: the button stays
    hidden until the event comes, and a click calls its prompt()."""
    page.goto(f"{base_url}/t/qindu/")
    offer = page.get_by_role("button", name=OFFER)
    expect(offer).to_be_hidden()
    page.evaluate("""() => {
        const event = new Event("beforeinstallprompt", {cancelable: true});
        event.prompt = () => { window.promptedToInstall = true; return Promise.resolve(); };
        event.userChoice = Promise.resolve({outcome: "accepted", platform: "web"});
        window.dispatchEvent(event);
        window.installOfferCancelled = event.defaultPrevented;
    }""")
    expect(offer).to_be_visible()
    assert page.evaluate("window.installOfferCancelled")  # the browser's own bar gives way to the button
    offer.click()
    assert page.evaluate("window.promptedToInstall") is True
    expect(offer).to_be_hidden()
    assert_no_horizontal_scroll(page)


def test_platform_pages_register_no_worker(phone, base_url):
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(f"{base_url}/")
    assert page.locator('link[rel="manifest"]').count() == 0
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0


def test_without_the_server_a_page_shows_the_offline_page(phone, base_url, live_server):
    if live_server is None:
        pytest.skip("stopping the server needs the journeys' own server (not --base-url)")
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(f"{base_url}/t/qindu/")
    _ready_scope(page)
    page.reload()  # now controlled by the worker
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    live_server.halt()
    try:
        page.goto(f"{base_url}/t/qindu/notices")
        expect(page.get_by_role("heading", level=1)).to_have_text(OFFLINE)
        assert page.locator('section[lang="en"]').count() == 1 and page.locator('section[lang="zh-CN"]').count() == 1
    finally:
        live_server.serve()
    page.goto(f"{base_url}/t/qindu/notices")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(OFFLINE)
