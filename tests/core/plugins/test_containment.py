"""Fault isolation: a plugin that fails in its route, navigation entry, home tile or console
widget (even when the failure shows only as the host reads what a hook yields) leaves the district's
pages whole, with the other plugins' parts; each failure is logged with the district and
the plugin and counted, failures at the same time too; after repeated failures within the
window the plugin is stopped (degraded) in that district only, the district admin sees it,
and enabling it again starts it afresh."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.plugins import failures
from core.tenancy import TenantScope
from tests.core.plugins.containment_fixtures import app, enable, enablement_of, plugins  # noqa: F401  (fixtures)
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "en"}
BROKEN_PAGE = "/t/qindu/p/broken/"
BROKEN_API = "/api/v1/t/qindu/p/broken/"
UNAVAILABLE = "This service is not available right now. Please try again later."


@pytest.fixture(autouse=True)
def failure_log(caplog):
    caplog.set_level(logging.ERROR, logger="gongzhi.plugins")
    return caplog


def logged_places(caplog, tenant_id: int) -> list[str]:
    """Where the broken plugin failed in the district, as the log tells it."""
    prefix = f"plugin broken failed in district {tenant_id} ("
    return [record.getMessage()[len(prefix):].split(")")[0] for record in caplog.records
            if record.name == "gongzhi.plugins" and record.getMessage().startswith(prefix)]


@pytest.fixture
async def admin(client, tenant, make_person, sign_in):
    """The client, signed in as qindu's district admin (before any plugin is enabled)."""
    person = await make_person("王建华", "13900000001")
    await accounts.add_membership(TenantScope(tenant.id), person.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    return client


async def test_the_district_home_answers_with_the_other_plugins_parts(client, tenant, plugins, failure_log):
    await enable(tenant, "broken", "steady")
    home = await client.get("/t/qindu/", headers=PAGE)
    assert home.status_code == 200
    assert "SteadyTile" in home.text and "SteadyNav" in home.text
    assert "BrokenTile" not in home.text and "BrokenNav" not in home.text and "/p/broken/" not in home.text
    assert logged_places(failure_log, tenant.id) == ["navigation", "home_tiles"]
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("enabled", 2)
    assert broken.last_error == "home_tiles: RuntimeError: broken tile"
    assert (await enablement_of(tenant, "steady")).failures == 0

    plugins.broken.FAILING.clear()  # working, its parts are there
    home = await client.get("/t/qindu/", headers=PAGE)
    assert "BrokenTile" in home.text and "BrokenNav" in home.text
    assert (await enablement_of(tenant, "broken")).failures == 2


async def test_the_console_home_answers_with_the_widgets_that_work(admin, tenant, plugins, failure_log):
    await enable(tenant, "broken", "steady")
    home = await admin.get("/t/qindu/console/", headers=PAGE)
    assert home.status_code == 200
    assert 'data-plugin="steady"' in home.text and "Steady widget for qindu" in home.text
    assert 'data-plugin="broken"' not in home.text
    assert logged_places(failure_log, tenant.id) == ["navigation", "console_widgets"]
    broken = await enablement_of(tenant, "broken")
    assert broken.failures == 2 and broken.last_error == "console_widgets: RuntimeError: broken widget"


async def test_a_widget_whose_template_fails_is_left_out(admin, tenant, plugins, failure_log):
    await enable(tenant, "broken", "steady")
    plugins.broken.FAILING.intersection_update({"widget_template"})
    home = await admin.get("/t/qindu/console/", headers=PAGE)
    assert home.status_code == 200
    assert "Steady widget for qindu" in home.text and "BrokenNav" in home.text
    assert 'data-plugin="broken"' not in home.text and 'class="broken-widget"' not in home.text
    assert logged_places(failure_log, tenant.id) == ["console widget"]
    broken = await enablement_of(tenant, "broken")
    assert broken.failures == 1 and broken.last_error == "console widget: RuntimeError: broken template"


async def test_a_failing_route_answers_503_in_the_districts_page_or_as_a_problem(client, tenant, plugins,
                                                                                 failure_log):
    await enable(tenant, "broken", "steady")
    plugins.broken.FAILING.intersection_update({"page"})
    page = await client.get(BROKEN_PAGE, headers=PAGE)
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert UNAVAILABLE in page.text
    # The district's own page around it: its name, its navigation with the plugins' entries.
    assert 'class="brand" href="/t/qindu/"' in page.text and "SteadyNav" in page.text

    api = await client.get(BROKEN_API, headers={"Accept-Language": "en"})
    assert api.status_code == 503 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 503 and api.json()["detail"] == UNAVAILABLE

    assert logged_places(failure_log, tenant.id) == ["route GET /t/qindu/p/broken",
                                                     "route GET /api/v1/t/qindu/p/broken"]
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("enabled", 2)
    assert broken.last_error == "route GET /api/v1/t/qindu/p/broken: RuntimeError: broken page"

    plugins.broken.FAILING.clear()
    working = await client.get(BROKEN_PAGE, headers=PAGE)
    assert working.status_code == 200 and working.text == "broken works"


async def test_failures_spread_over_more_than_the_window_do_not_degrade(client, tenant, plugins):
    await enable(tenant, "broken")
    plugins.broken.FAILING.intersection_update({"page"})
    start = datetime(2026, 11, 30, 9, 0, tzinfo=clock.CHINA)
    assert failures.LIMIT == 5 and failures.WINDOW == timedelta(minutes=10)
    # Eight failures in 17 minutes, never five within ten of the first of a window.
    for minutes in (0, 2, 4, 6, 11, 13, 15, 17):
        clock.set_now(start + timedelta(minutes=minutes))
        assert (await client.get(BROKEN_PAGE, headers=PAGE)).status_code == 503
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("enabled", 4)
    # The fifth within ten minutes of the window's first (at 11) stops it.
    clock.set_now(start + timedelta(minutes=19))
    assert (await client.get(BROKEN_PAGE, headers=PAGE)).status_code == 503
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("degraded", 5)
    assert (await client.get(BROKEN_PAGE, headers=PAGE)).status_code == 404


async def test_a_degraded_plugin_is_stopped_in_that_district_only(client, tenant, other_tenant, plugins,
                                                                  failure_log):
    for district in (tenant, other_tenant):
        await enable(district, "broken", "steady")
    plugins.broken.FAILING.intersection_update({"page"})
    for _ in range(failures.LIMIT):
        assert (await client.get(BROKEN_PAGE, headers=PAGE)).status_code == 503
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("degraded", failures.LIMIT)
    assert f"plugin broken is degraded in district {tenant.id} after 5 failures" in failure_log.messages

    plugins.broken.FAILING.clear()  # working again, it stays stopped until an admin enables it
    assert (await client.get(BROKEN_PAGE, headers=PAGE)).status_code == 404
    assert (await client.get(BROKEN_API)).status_code == 404
    home = await client.get("/t/qindu/", headers=PAGE)
    assert home.status_code == 200 and "SteadyTile" in home.text and "SteadyNav" in home.text
    assert "BrokenTile" not in home.text and "BrokenNav" not in home.text
    assert (await client.get("/t/qindu/p/steady/")).text == "steady in qindu"

    elsewhere = await client.get("/t/weicheng/p/broken/", headers=PAGE)
    assert elsewhere.status_code == 200 and elsewhere.text == "broken works"
    home = await client.get("/t/weicheng/", headers=PAGE)
    assert "BrokenTile" in home.text and "BrokenNav" in home.text
    other = await enablement_of(other_tenant, "broken")
    assert (other.state, other.failures) == ("enabled", 0)


async def test_the_admin_sees_the_degraded_plugin_and_enables_it_again(admin, tenant, plugins):
    await enable(tenant, "broken", "steady")
    plugins.broken.FAILING.intersection_update({"page"})
    for _ in range(failures.LIMIT):
        await admin.get(BROKEN_PAGE, headers=PAGE)
    listing = await admin.get("/t/qindu/console/plugins", headers=PAGE)
    assert listing.status_code == 200
    assert 'id="plugin-broken" data-state="degraded"' in listing.text
    assert 'id="plugin-steady" data-state="enabled"' in listing.text
    assert "Stopped after repeated failures" in listing.text
    assert "route GET /t/qindu/p/broken: RuntimeError: broken page" in listing.text
    banner = "The plugin Broken service failed repeatedly and was stopped in this district."
    home = await admin.get("/t/qindu/console/", headers=PAGE)
    assert home.status_code == 200 and banner in home.text

    enabled = await admin.post("/t/qindu/console/plugins/broken/enable", headers=PAGE,
                               data={"_csrf_token": csrf_token(listing.text)})
    assert enabled.status_code == 303
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures, broken.window_started_at) == ("enabled", 0, None)
    plugins.broken.FAILING.clear()
    assert (await admin.get(BROKEN_PAGE, headers=PAGE)).text == "broken works"
    home = await admin.get("/t/qindu/console/", headers=PAGE)
    assert banner not in home.text and "broken widget works" in home.text


async def test_failures_at_the_same_time_all_count(tenant, plugins):
    """Failing requests served at once (by one process or several) each count."""
    await enable(tenant, "broken")
    await asyncio.gather(*(failures.record(tenant.id, "broken", "test", RuntimeError("at once"))
                           for _ in range(failures.LIMIT)))
    broken = await enablement_of(tenant, "broken")
    assert (broken.state, broken.failures) == ("degraded", failures.LIMIT)
