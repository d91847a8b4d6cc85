"""/t/{slug}/console/plugins: a district admin sees the installed plugins with their state,
enables and disables them (audited), and sets their settings, checked field by field."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.plugins.tables import PluginEnablement
from core.sdk import Plugin
from core.tenancy import TenantScope
from tenants.tables import Community, Street
from tests.core.plugins.sample_fixtures import app, sample  # noqa: F401  (fixtures)
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "en"}
LIST = "/t/qindu/console/plugins"
SETTINGS = "/t/qindu/console/plugins/sample"
GOOD = {"greeting": "早上好", "capacity": "20", "period": "monthly", "open": "1"}


@pytest.fixture
async def people(tenant, make_person):
    """In qindu: a district admin, a resident and a community's staff."""
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    for name, phone, role, kind, unit in (("王建华", "13900000001", "district_admin", "", None),
                                          ("刘芳", "13900000021", "resident", "", None),
                                          ("李秀英", "13900000011", "staff", "community", community.id)):
        person = await make_person(name, phone)
        await accounts.add_membership(scope, person.id, [role], kind, unit)
    return scope


@pytest.fixture
async def admin(client, people, sign_in):
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    return client


def _state(html: str) -> str:
    return re.search(r'id="plugin-sample" data-state="(\w+)"', html).group(1)


async def _switch(client, action: str, *, accept: bool = True):
    page = await client.get(LIST, headers=PAGE)
    data = {"_csrf_token": csrf_token(page.text), **({"accept": "1"} if accept else {})}
    return await client.post(f"{LIST}/sample/{action}", headers=PAGE, data=data)


async def _actions() -> list[tuple[str, str, int]]:
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.target, AuditEntry.tenant_id).where(
        AuditEntry.action.like("plugin.%")).order_by(AuditEntry.id)
    return [(row["action"], row["target"], row["tenant_id"]) for row in rows]


async def test_an_admin_sees_the_installed_plugins_with_their_state(admin):
    page = await admin.get(LIST, headers=PAGE)
    assert page.status_code == 200
    assert _state(page.text) == "disabled" and "Sample service" in page.text and "Version 1.2.0" in page.text
    assert "Send notifications to people" in page.text  # what it may do: its capabilities
    assert 'href="/t/qindu/console/plugins/sample"' in page.text


async def test_enabling_and_disabling_change_the_state_and_are_audited(admin, people, tenant):
    enabled = await _switch(admin, "enable")
    assert enabled.status_code == 303 and enabled.headers["location"] == LIST
    assert _state((await admin.get(LIST, headers=PAGE)).text) == "enabled"
    row = await people.objects(PluginEnablement).where(PluginEnablement.plugin == "sample").first()
    assert row.state == "enabled"
    assert (await admin.get("/t/qindu/p/sample/")).status_code == 200

    disabled = await _switch(admin, "disable")
    assert disabled.status_code == 303
    assert _state((await admin.get(LIST, headers=PAGE)).text) == "disabled"
    assert (await admin.get("/t/qindu/p/sample/")).status_code == 404
    assert await _actions() == [("plugin.enabled", "sample", tenant.id), ("plugin.disabled", "sample", tenant.id)]
    actors = {row["actor_id"] for row in await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action.like("plugin.%"))}
    assert len(actors) == 1 and None not in actors


@pytest.mark.parametrize("phone", ["13900000021", "13900000011"], ids=["resident", "staff"])
async def test_residents_and_staff_are_refused(client, people, sign_in, phone):
    await sign_in(client, phone, login_path="/t/qindu/login")
    assert (await client.get(LIST, headers=PAGE)).status_code == 403
    assert (await client.get(SETTINGS, headers=PAGE)).status_code == 403
    token = csrf_token((await client.get("/t/qindu/", headers=PAGE)).text)
    switched = await client.post(f"{LIST}/sample/enable", headers=PAGE, data={"_csrf_token": token})
    saved = await client.post(SETTINGS, headers=PAGE, data={**GOOD, "_csrf_token": token})
    assert (switched.status_code, saved.status_code) == (403, 403)
    assert await people.count(PluginEnablement) == 0 and await _actions() == []


async def test_the_settings_form_shows_the_defaults(admin):
    page = await admin.get(SETTINGS, headers=PAGE)
    assert page.status_code == 200 and "Sample service" in page.text
    assert 'name="greeting" value="你好"' in page.text and 'name="capacity" value="10"' in page.text
    assert '<option value="weekly" selected>' in page.text and '<option value="monthly">' in page.text
    assert re.search(r'name="open" value="1" checked', page.text)
    assert "Shown on the first page." in page.text


async def test_bad_settings_are_refused_next_to_each_field_and_kept(admin, people):
    page = await admin.get(SETTINGS, headers=PAGE)
    refused = await admin.post(SETTINGS, headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "greeting": "好" * 21, "capacity": "99", "period": "daily"})
    assert refused.status_code == 422
    html = refused.text
    assert re.search(r'id="e-capacity"[^>]*>Enter a number from 1 to 50\.<', html)
    assert re.search(r'id="e-period"[^>]*>Please choose one of the options\.<', html)
    assert re.search(r'id="e-greeting"[^>]*>At most 20 characters\.<', html)
    assert f'name="greeting" value="{"好" * 21}"' in html and 'name="capacity" value="99"' in html
    assert 'name="open" value="1" checked' not in html  # unticked, as it was sent
    assert await people.count(PluginEnablement) == 0
    assert await Plugin("sample").settings(people) == {"greeting": "你好", "capacity": 10, "period": "weekly",
                                                       "open": True}


async def test_full_width_digits_are_taken_as_a_number(admin, people):
    page = await admin.get(SETTINGS, headers=PAGE)
    refused = await admin.post(SETTINGS, headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), **GOOD, "capacity": "３", "period": "yearly"})
    assert refused.status_code == 422
    assert 'id="e-capacity"' not in refused.text and 'id="e-period"' in refused.text
    assert 'name="capacity" value="３"' in refused.text  # kept as typed

    saved = await admin.post(SETTINGS, headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), **GOOD, "capacity": "３"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{SETTINGS}?saved=1"
    assert (await Plugin("sample").settings(people))["capacity"] == 3


async def test_good_settings_are_stored_and_read_back_through_the_sdk(admin, people):
    page = await admin.get(SETTINGS, headers=PAGE)
    saved = await admin.post(SETTINGS, headers=PAGE, data={"_csrf_token": csrf_token(page.text), **GOOD,
                                                           "open": ""})
    assert saved.status_code == 303
    assert await Plugin("sample").settings(people) == {"greeting": "早上好", "capacity": 20, "period": "monthly",
                                                       "open": False}
    again = await admin.get(saved.headers["location"], headers=PAGE)
    assert "Saved." in again.text and 'name="greeting" value="早上好"' in again.text
    assert '<option value="monthly" selected>' in again.text and 'name="open" value="1" checked' not in again.text
    row = await people.objects(PluginEnablement).where(PluginEnablement.plugin == "sample").first()
    assert row.state == "disabled"  # saving settings does not enable the plugin
    assert [action for action, _target, _tenant in await _actions()] == ["plugin.settings_changed"]

    await _switch(admin, "enable")
    assert (await admin.get("/t/qindu/p/sample/")).text == "sample 早上好"


async def test_an_unknown_plugin_is_not_found(admin):
    page = await admin.get(LIST, headers=PAGE)
    token = csrf_token(page.text)
    assert (await admin.get(f"{LIST}/nosuch", headers=PAGE)).status_code == 404
    assert (await admin.post(f"{LIST}/nosuch/enable", headers=PAGE, data={"_csrf_token": token})).status_code == 404
    assert (await admin.post(f"{LIST}/nosuch", headers=PAGE, data={"_csrf_token": token, **GOOD})).status_code == 404
    assert (await admin.post(f"{LIST}/sample/explode", headers=PAGE, data={"_csrf_token": token})).status_code == 404


async def test_enabling_asks_the_admin_to_accept_what_the_plugin_may_do(admin, people):
    refused = await _switch(admin, "enable", accept=False)
    assert refused.status_code == 422
    assert re.search(r'id="e-accept-sample"[^>]*>Read what it may do, and tick the box to accept it\.<', refused.text)
    assert await people.count(PluginEnablement) == 0 and await _actions() == []
    assert (await _switch(admin, "enable")).status_code == 303
    entry = await AuditEntry.objects().where(AuditEntry.action == "plugin.enabled").first()
    assert json.loads(entry.details)["capabilities_accepted"] == ["notify:send", "audit:write"]


async def test_a_version_that_asks_for_more_waits_until_it_is_accepted(admin, people, sample):
    """A new version of the plugin declaring one more capability is off in the district (as
    if disabled, data kept) until its admin accepts the new list."""
    from core.plugins import enablement
    from core.plugins.host import host

    assert (await _switch(admin, "enable")).status_code == 303
    assert (await admin.get("/t/qindu/p/sample/")).status_code == 200
    loaded = host().plugins["sample"]
    first = loaded.manifest
    loaded.manifest = dataclasses.replace(first, version="1.3.0",
                                          capabilities=(*first.capabilities, "residents:read"))
    enablement.forget_cache()  # as a process does when it restarts with the new version
    try:
        assert (await admin.get("/t/qindu/p/sample/")).status_code == 404
        listing = (await admin.get(LIST, headers=PAGE)).text
        assert "Its new version asks to do more." in listing
        assert "Read the names and contact details of the district" in listing
        assert (await _switch(admin, "enable", accept=False)).status_code == 422
        assert (await admin.get("/t/qindu/p/sample/")).status_code == 404
        assert (await _switch(admin, "enable")).status_code == 303
        assert (await admin.get("/t/qindu/p/sample/")).status_code == 200
        assert "Its new version asks to do more." not in (await admin.get(LIST, headers=PAGE)).text
    finally:
        loaded.manifest = first
