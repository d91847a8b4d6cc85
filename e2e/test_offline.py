"""Offline, honestly: the server is stopped (an emulated offline browser does not reach the
service worker's own fetches). A resident reads a notice they read before, sends a suggestion
that the phone keeps, and when the server is back sees its tracking number; the server has
exactly one new item. A session that expired meanwhile loses nothing: the resident signs in
again and it is sent. On a phone, in Chinese."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, assert_no_horizontal_scroll, sign_in_to_qindu

RESIDENT = "13900000021"  # 刘芳


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A server of the journeys' own, to stop and start again."""
    own = LiveServer()
    try:
        own.start()
        yield own
    finally:
        own.stop()


def _items(server: LiveServer) -> int:
    with sqlite3.connect(server.var_dir / "e2e.sqlite3") as database:
        return database.execute("SELECT count(*) FROM feedback_item").fetchone()[0]


def _posts(server: LiveServer) -> int:
    return len(re.findall(r'"POST /t/qindu/feedback/new HTTP', server.log.read_text()))


def _ready(page: Page, base: str) -> None:
    """The resident signed in, on a home page the district's worker controls."""
    sign_in_to_qindu(page, base, RESIDENT)
    page.goto(f"{base}/t/qindu/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def _write_offline(page: Page, base: str, text: str) -> None:
    page.goto(f"{base}/t/qindu/feedback/new")
    page.get_by_label("诉求类别").select_option(index=1)
    page.get_by_label("发生了什么，在哪里").fill(text)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("[data-kept]")).to_be_visible()
    expect(page.locator(".queue")).to_contain_text(text[:20])


def test_a_suggestion_written_offline_is_sent_once_when_the_server_returns(page: Page, server: LiveServer):
    base = server.url
    _ready(page, base)
    page.goto(f"{base}/t/qindu/notices")
    page.locator("main a[href*='/notices/']").first.click()
    notice_url, title = page.url, page.get_by_role("heading", level=1).inner_text()
    page.goto(f"{base}/t/qindu/feedback/new")  # the form, kept for later
    before, posts = _items(server), _posts(server)

    server.halt()
    page.goto(notice_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    _write_offline(page, base, "单元门口的路灯坏了三天，晚上很黑。")
    assert_no_horizontal_scroll(page)
    page.goto(f"{base}/t/qindu/notices")  # another page, still without the server: it still waits
    expect(page.locator(".queue")).to_contain_text("等待")
    assert _posts(server) == posts, "nothing reached the server while it was down"

    server.serve()
    tracking = page.locator(".queue .tracking")
    expect(tracking).to_be_visible(timeout=30_000)
    number = tracking.inner_text()
    assert _items(server) == before + 1
    assert _posts(server) == posts + 1, "one post, once the server was back"
    tracking.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(number)
    page.goto(f"{base}/t/qindu/")
    page.wait_for_timeout(1000)
    assert _items(server) == before + 1, "sent once, whatever retried"


def test_an_expired_session_keeps_what_was_written_until_the_resident_signs_in(page: Page, server: LiveServer):
    base = server.url
    _ready(page, base)
    page.goto(f"{base}/t/qindu/feedback/new")
    before = _items(server)

    server.halt()
    _write_offline(page, base, "小区东门的垃圾桶满了，没人清理。")
    page.context.clear_cookies()  # the session ends while the phone is offline
    server.serve()
    queue = page.locator(".queue")
    expect(queue).to_contain_text("请重新登录", timeout=30_000)
    assert _items(server) == before

    queue.get_by_role("link", name="登录").click()
    page.get_by_label("手机号或邮箱").fill(RESIDENT)
    page.get_by_label("密码").fill("gongzhi2026")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".queue .tracking")).to_be_visible(timeout=30_000)
    assert _items(server) == before + 1


def test_signing_out_clears_the_pages_and_the_queue_this_device_kept(page: Page, server: LiveServer):
    base = server.url
    _ready(page, base)
    page.goto(f"{base}/t/qindu/notices")
    page.route(re.compile(r".*/feedback/new$"), lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())  # the sends fail: the suggestion stays kept
    page.goto(f"{base}/t/qindu/feedback/new")
    page.get_by_label("诉求类别").select_option(index=1)
    page.get_by_label("发生了什么，在哪里").fill("楼道里的消防栓没有水。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".queue")).to_contain_text("楼道里的消防栓")
    kept = "caches.keys().then(names => names.filter(name => name.startsWith('gongzhi/qindu/')).length)"
    queued = """new Promise(done => { const open = indexedDB.open('gongzhi-queue');
        open.onupgradeneeded = () => open.transaction.abort();
        open.onerror = () => done(0);
        open.onsuccess = () => { const db = open.result;
          if (!db.objectStoreNames.contains('submissions')) { db.close(); done(0); return; }
          const count = db.transaction('submissions').objectStore('submissions').count();
          count.onsuccess = () => { db.close(); done(count.result); }; }; })"""
    assert page.evaluate(kept) > 0 and page.evaluate(queued) == 1

    page.get_by_role("button", name="退出").click()
    expect(page).not_to_have_url(re.compile(r"/feedback/new"))
    assert page.evaluate(kept) == 0
    assert page.evaluate(queued) == 0


def _worker_version(page: Page, base: str) -> str:
    text = page.request.get(f"{base}/t/qindu/sw.js").text()
    return re.search(r'var VERSION = "([0-9a-f]+)";', text).group(1)


def test_a_new_release_replaces_the_app_shell_and_keeps_the_notices_read(page: Page, server: LiveServer):
    """The operator deploys a new release: at the next visit the phone installs the new worker,
    which deletes the old version's caches; a notice read before stays readable offline."""
    base = server.url
    _ready(page, base)
    page.goto(f"{base}/t/qindu/notices")
    page.locator("main a[href*='/notices/']").first.click()
    notice_url, title = page.url, page.get_by_role("heading", level=1).inner_text()
    old = _worker_version(page, base)
    names = "caches.keys().then(names => names.filter(name => name.startsWith('gongzhi/qindu/')).sort())"
    before = page.evaluate(names)
    assert "gongzhi/qindu/pages" in before and f"gongzhi/qindu/shell/{old}" in before, before

    server.halt()
    server.env["GONGZHI_RELEASE"] = "next"
    try:
        server.serve()
        new = _worker_version(page, base)
        assert new != old
        page.goto(f"{base}/t/qindu/")  # a visit: the browser finds the worker changed
        deadline = time.monotonic() + 30
        while f"gongzhi/qindu/shell/{old}" in page.evaluate(names) and time.monotonic() < deadline:
            page.wait_for_timeout(200)  # the new worker installs, then activates
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{base}/t/qindu/sw.js"
        after = page.evaluate(names)
        assert f"gongzhi/qindu/shell/{new}" in after, after
        assert "gongzhi/qindu/pages" in after and not any(name.endswith(f"/{old}") for name in after), after

        server.halt()
        page.goto(notice_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        page.goto(f"{base}/t/qindu/notices?never-read")
        expect(page.get_by_role("heading", level=1)).to_contain_text("您已离线")
    finally:
        server.env.pop("GONGZHI_RELEASE", None)
        server.halt()
        server.serve()
