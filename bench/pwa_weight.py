"""The weight of every resident page, measured in Chromium: ``python bench/pwa_weight.py``.

Starts ``gongzhi serve`` on a fresh demo database (or measures ``--base-url``), lists the
resident pages from the route table (e2e/pages.py, as the accessibility sweeps do), and opens
each in a new phone-sized browser context with an empty cache: the first load's bytes over the
wire (compressed, headers included; images excluded) and its JavaScript, then a second load of
the same page: what still crosses the network once the district's worker and the cache hold
the rest. Budgets (issue 11): 60 KB per first load, 20 KB of JavaScript. Exits 1 when a page
is over either, so it can gate a release; it is not run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from e2e.conftest import CHROMIUM_FLAGS, PHONE, LiveServer, chromium_path  # noqa: E402
from e2e.pages import RESIDENT, resident_pages  # noqa: E402

PAGE_BUDGET = 60 * 1024
SCRIPT_BUDGET = 20 * 1024


def _bytes(request) -> int:
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def measure(browser, context_args: dict, url: str, storage_state) -> dict[str, int]:
    context = browser.new_context(**context_args, storage_state=storage_state)
    first: list = []
    again: list = []
    loads = [first]
    try:
        page = context.new_page()
        page.on("requestfinished", lambda request: loads[-1].append(request))
        page.goto(url, wait_until="networkidle", timeout=30_000)
        # The worker installed (on the district's pages that register one), or 5 s.
        page.evaluate("""Promise.race([new Promise(done => setTimeout(done, 5000)),
                                      'serviceWorker' in navigator ? navigator.serviceWorker.ready : null])""")
        counted = [r for r in first if r.resource_type != "image"]
        loads.append(again)
        page.goto(url, wait_until="networkidle", timeout=30_000)
        # The page itself is always asked of the server (network first); the rest should come
        # from the worker's cache or the browser's.
        resources = [r for r in again if r.resource_type not in ("image", "document")]
        fetched = [r for r in resources if not r.response().from_service_worker and _bytes(r) > 0]
        return {
            "first": sum(_bytes(r) for r in counted),
            "script": sum(_bytes(r) for r in counted if r.resource_type == "script"),
            "requests": len(counted),
            "again": sum(_bytes(r) for r in fetched),
            "cached": len(resources) - len(fetched),
        }
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="measure a running instance with the demo data")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = None
    if arguments.base_url:
        base = arguments.base_url.rstrip("/")
    else:
        server = LiveServer()
        server.start()
        base = server.url
    context_args = {**PHONE, "locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-CN"}}
    failed = False
    try:
        with sync_playwright() as playwright:
            launch = {"args": CHROMIUM_FLAGS}
            if chromium_path():
                launch["executable_path"] = chromium_path()
            browser = playwright.chromium.launch(**launch)
            setup = browser.new_context(**context_args)
            page = setup.new_page()
            pages = resident_pages(page, base)  # ends signed in as the demo resident
            signed_in = setup.storage_state()
            setup.close()
            print(f"{'page':<44} {'first KB':>9} {'JS KB':>7} {'req':>4} {'again KB':>9} {'cached':>7}")
            for route, url in pages:
                figures = measure(browser, context_args, url, signed_in if route.signed_in else None)
                over = figures["first"] > PAGE_BUDGET or figures["script"] > SCRIPT_BUDGET
                failed |= over
                print(f"{url.removeprefix(base):<44} {figures['first'] / 1024:>9.1f} {figures['script'] / 1024:>7.1f} "
                      f"{figures['requests']:>4} {figures['again'] / 1024:>9.1f} {figures['cached']:>7}"
                      f"{'  OVER' if over else ''}", flush=True)
            browser.close()
    finally:
        if server is not None:
            server.stop()
    print(f"budgets: first load {PAGE_BUDGET // 1024} KB, JavaScript {SCRIPT_BUDGET // 1024} KB "
          f"(resident {RESIDENT}, images excluded)")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("LANG", "en_US.UTF-8")
    sys.exit(main())
