"""The plugin host: plugins found through their entry points (and refused, with the reason,
when they do not fit this core), what they declare fed into core's registries, the SDK's
capability checks, the hook trace, and their routes answering only where a district has
enabled them, on the next request and in every process."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import sqlite3
import sys
import textwrap
from urllib.parse import urlparse

import pytest

from core.accounts import roles as core_roles, services as accounts
from core.config import Settings
from core.feedback import categories, registry, services as feedback
from core.feedback.tables import FeedbackItem
from core.i18n import Message
from core.notifications.tables import Notification
from core.plugins import enablement
from core.plugins.host import PluginHost, host
from core.plugins.tables import PluginEnablement
from core.plugins.web import Visit
from core.sdk import CapabilityError, Plugin
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street
from tests.core.plugins.sample_fixtures import app, sample  # noqa: F401  (fixtures)
from tests.services import TEST_DB

# Entry-point discovery ---------------------------------------------------------------

MANIFEST = """\
name = "{name}"
version = "1.0.0"
core = "{core}"
licence = "MIT"
[title]
zh-Hans = "入口测试"
en = "Entry point test"
[description]
zh-Hans = "测试"
en = "Test"
[author]
name = "Gongzhi"
contact = "dev@gongzhi.invalid"
[[party_types]]
name = "{name}_desk"
label = {{zh-Hans = "服务台", en = "Desk"}}
[[categories]]
key = "{name}_request"
name = {{zh-Hans = "服务申请", en = "Requests"}}
accept_hours = 24
resolve_hours = 72
party = "{name}_desk"
"""


def _distribution(root, name: str, hooks: str, *, core: str = ">=1.0,<2") -> None:
    """An installed distribution ``gongzhi-<name> 1.0`` as pip leaves one: the package and its
    ``.dist-info`` with the entry point in the group ``gongzhi.plugins``."""
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "manifest.toml").write_text(MANIFEST.format(name=name, core=core), encoding="utf-8")
    (package / "plugin.py").write_text("from core.sdk import Tile, hookimpl\n\n\n" + textwrap.dedent(hooks))
    info = root / f"gongzhi_{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: gongzhi-{name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[gongzhi.plugins]\n{name} = {name}.plugin\n")


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Four distributions on sys.path: one that fits, one for a later core, and two whose hooks
    do not match a hookspec (an unknown hook, an unknown argument)."""
    names = ("epgood", "epfuture", "epbadhook", "epbadarg")
    _distribution(tmp_path, "epgood", """
        @hookimpl
        def home_tiles(visit):
            return [Tile("Good", "/")]
    """)
    _distribution(tmp_path, "epfuture", """
        @hookimpl
        def home_tiles(visit):
            return []
    """, core=">=2")
    _distribution(tmp_path, "epbadhook", """
        @hookimpl
        def home_tile(visit):
            return []
    """)
    _distribution(tmp_path, "epbadarg", """
        @hookimpl
        def home_tiles(visit, district):
            return []
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield names
    for name in names:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_plugins_are_found_through_their_entry_points_and_refused_with_the_reason(installed):
    found = PluginHost()
    found.load_entry_points()
    try:
        assert "epgood" in found.plugins
        good = found.plugins["epgood"]
        assert (good.distribution, good.manifest.title.en) == ("gongzhi-epgood 1.0", "Entry point test")
        assert registry.CATEGORIES["epgood_request"].plugin == "epgood"
        # (Gongzhi's own plugins are found too; of these four, only the one that fits is.)
        assert [impl.plugin_name for impl in found.manager.hook.home_tiles.get_hookimpls()
                if impl.plugin_name in installed] == ["epgood"]

        assert "epfuture" not in found.plugins
        assert "supports core >=2" in found.problems["epfuture"] and "core 1.0" in found.problems["epfuture"]
        assert "epbadhook" not in found.plugins and "home_tile: no such hook" in found.problems["epbadhook"]
        assert "epbadarg" not in found.plugins
        assert "home_tiles: unknown arguments ['district']" in found.problems["epbadarg"]
        for refused in ("epfuture", "epbadhook", "epbadarg"):
            assert f"{refused}_request" not in registry.CATEGORIES and f"{refused}_desk" not in registry.PARTY_TYPES
    finally:
        if "epgood" in found.plugins:
            found.remove("epgood")
        # The second host registered (and, where it refused them, unregistered) the installed
        # plugins in the process's registries: give them back to the process's own host.
        from core.plugins import registration
        from core.plugins.host import host

        for plugin in host().plugins.values():
            registration.register(plugin)
    assert "epgood_request" not in registry.CATEGORIES and "epgood_desk" not in registry.PARTY_TYPES


# What the sample declares ----------------------------------------------------------------


def test_declarations_land_in_cores_registries_and_leave_with_the_plugin(sample):
    category = registry.CATEGORIES["sample_repair"]
    assert (category.plugin, category.default_party, category.accept_hours, category.resolve_hours) == (
        "sample", "sample_office", 12, 48)
    office = registry.PARTY_TYPES["sample_office"]
    assert (office.plugin, office.escalates_to) == ("sample", "community")
    label, scope, owner = core_roles.PLUGIN_ROLES["sample.clerk"]
    assert (scope, owner, label.en) == ("sample_office", "sample", "Sample clerk")
    assert core_roles.label_of("sample.clerk") is label

    host().remove("sample")
    try:
        assert "sample_repair" not in registry.CATEGORIES and "sample_office" not in registry.PARTY_TYPES
        assert "sample.clerk" not in core_roles.PLUGIN_ROLES
        assert not [impl for impl in host().manager.hook.page_routes.get_hookimpls() if impl.plugin_name == "sample"]
    finally:
        host().add(sample.module)  # the fixture removes it again


def test_a_second_plugin_of_the_same_name_is_refused(sample):
    from core.plugins.manifest import ManifestError

    with pytest.raises(ManifestError, match="already loaded"):
        host().add(sample.module)
    assert host().plugins["sample"] is sample and "sample_repair" in registry.CATEGORIES


# Capabilities -------------------------------------------------------------------------


async def test_the_sdk_refuses_what_the_manifest_does_not_declare(tenant, make_person, sample, jobs, monkeypatch):
    scope = TenantScope(tenant.id)
    person = await make_person("刘芳", "13900000021")
    await accounts.add_membership(scope, person.id, ["resident"])
    handle = Plugin("sample")

    with pytest.raises(CapabilityError) as refused:
        await handle.people(scope, [person.id])  # residents:read is not declared
    assert refused.value.capability == "residents:read" and "'residents:read'" in str(refused.value)

    await handle.notify(scope, [person.id], kind="ready", title=Message("Your place is ready."))
    rows = await scope.select(Notification, Notification.kind)
    assert [row["kind"] for row in rows] == ["sample.ready"]

    monkeypatch.setattr(sample, "manifest", dataclasses.replace(sample.manifest, capabilities=("audit:write",)))
    with pytest.raises(CapabilityError) as refused:
        await handle.notify(scope, [person.id], kind="ready", title=Message("Your place is ready."))
    assert refused.value.capability == "notify:send" and "'notify:send'" in str(refused.value)
    assert await scope.count(Notification) == 1


# The trace ------------------------------------------------------------------------------


async def test_the_trace_logs_every_hook_call_with_its_duration(tenant, sample, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="gongzhi.plugins.trace")
    visit = Visit(tenant, None, frozenset(), "/t/qindu/")
    monkeypatch.delenv("GONGZHI_PLUGINS_TRACE", raising=False)
    await host().call_each("home_tiles", frozenset({"sample"}), tenant_id=tenant.id, place="home_tiles", visit=visit)
    host().manager.hook.page_routes()
    assert not [r for r in caplog.records if r.name == "gongzhi.plugins.trace"]

    monkeypatch.setenv("GONGZHI_PLUGINS_TRACE", "1")
    found = await host().call_each("home_tiles", frozenset({"sample"}), tenant_id=tenant.id, place="home_tiles",
                                   visit=visit)
    assert [(name, [tile.title for tile in tiles]) for name, tiles in found] == [("sample", ["Sample"])]
    host().manager.hook.page_routes()
    lines = [r.getMessage() for r in caplog.records if r.name == "gongzhi.plugins.trace"]
    tenant_scoped = [line for line in lines if "home_tiles" in line]
    global_hook = [line for line in lines if "page_routes" in line]
    assert len(tenant_scoped) == 1 and "sample" in tenant_scoped[0] and tenant_scoped[0].endswith(" ms")
    assert f"district {tenant.id}" in tenant_scoped[0]
    assert len(global_hook) == 1 and "sample" in global_hook[0] and global_hook[0].endswith(" ms")


# Routes ---------------------------------------------------------------------------------


async def _statuses(client) -> dict[str, int]:
    paths = {"page": "/t/qindu/p/sample/", "api": "/api/v1/t/qindu/p/sample/",
             "other page": "/t/weicheng/p/sample/", "other api": "/api/v1/t/weicheng/p/sample/"}
    return {what: (await client.get(path)).status_code for what, path in paths.items()}


async def test_routes_answer_only_where_and_while_the_plugin_is_enabled(client, tenant, other_tenant):
    scope = TenantScope(tenant.id)
    assert await _statuses(client) == {"page": 404, "api": 404, "other page": 404, "other api": 404}

    await enablement.set_enabled(scope, "sample", True, actor_id=None)  # the same app: the next request
    assert await _statuses(client) == {"page": 200, "api": 200, "other page": 404, "other api": 404}
    page = await client.get("/t/qindu/p/sample/")
    assert page.text == "sample 你好" and page.headers.get("cache-control") != "no-store"
    assert (await client.get("/api/v1/t/qindu/p/sample/")).json() == {"plugin": "sample", "district": "qindu"}
    private = await client.get("/t/qindu/p/sample/private")
    assert private.status_code == 200 and private.headers["cache-control"] == "no-store"
    assert (await client.get("/t/weicheng/p/sample/private")).status_code == 404

    await enablement.set_enabled(scope, "sample", False, actor_id=None)
    assert await _statuses(client) == {"page": 404, "api": 404, "other page": 404, "other api": 404}
    assert (await client.get("/t/qindu/p/sample/private")).status_code == 404


async def _as_another_process(tenant_id: int, state: str, *, bump: bool = True) -> None:
    """Change the district's row (and raise its revision) over a connection of its own, as
    another app process would."""
    change = "UPDATE core_plugin_enablement SET state = {state} WHERE tenant_id = {tenant} AND plugin = 'sample'"
    revision = "UPDATE tenants_tenant SET plugins_revision = plugins_revision + 1 WHERE id = {tenant}"
    if TEST_DB == "postgres":
        import asyncpg

        from tests.seeding import admin_url

        connection = await asyncpg.connect(admin_url())
        try:
            async with connection.transaction():
                await connection.execute(change.format(state="$1", tenant="$2"), state, tenant_id)
                if bump:
                    await connection.execute(revision.format(tenant="$1"), tenant_id)
        finally:
            await connection.close()
    else:
        connection = sqlite3.connect(urlparse(os.environ["GONGZHI_DATABASE_URL"]).path, timeout=10)
        try:
            with connection:
                connection.execute(change.format(state="?", tenant="?"), (state, tenant_id))
                if bump:
                    connection.execute(revision.format(tenant="?"), (tenant_id,))
        finally:
            connection.close()


async def test_a_change_made_by_another_process_holds_on_the_next_request(client, tenant):
    await enablement.set_enabled(TenantScope(tenant.id), "sample", True, actor_id=None)
    assert (await client.get("/t/qindu/p/sample/")).status_code == 200

    # A row changed without raising the revision is not read again: the cache is keyed by it.
    await _as_another_process(tenant.id, "disabled", bump=False)
    assert (await client.get("/t/qindu/p/sample/")).status_code == 200

    await _as_another_process(tenant.id, "disabled")
    assert (await client.get("/t/qindu/p/sample/")).status_code == 404
    assert (await client.get("/api/v1/t/qindu/p/sample/")).status_code == 404
    await _as_another_process(tenant.id, "enabled")
    assert (await client.get("/t/qindu/p/sample/")).status_code == 200


# Categories and routing -------------------------------------------------------------------


@pytest.fixture
async def place(tenant, make_person):
    """qindu with a street, a community and a grid, and a resident of the grid."""
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    resident = await make_person("刘芳", "13900000021")
    await accounts.add_membership(scope, resident.id, ["resident"], "grid", grid.id)
    return {"scope": scope, "community": community, "grid": grid, "resident": resident}


async def _submit(place, category_id: int, address: str, key: str) -> FeedbackItem:
    submission = await feedback.clean(place["scope"], {"category": str(category_id), "description": "门禁坏了。",
                                                       "address": address}, person_id=place["resident"].id)
    item, new = await feedback.submit(Settings.from_env(), place["scope"], "qindu", place["resident"].id,
                                      submission, idempotency_key=key)
    assert new
    return item


async def test_the_plugins_category_is_offered_while_it_is_enabled_and_its_items_kept(sample, place):
    scope = place["scope"]
    await categories.ensure_registered(scope)
    assert "sample_repair" not in {c.key for c in await categories.enabled(scope)}

    await enablement.set_enabled(scope, "sample", True, actor_id=None)
    offered = {c.key: c for c in await categories.enabled(scope)}
    assert "sample_repair" in offered and "sanitation" in offered
    item = await _submit(place, offered["sample_repair"].id, "东风路1号", "key-000001")

    await enablement.set_enabled(scope, "sample", False, actor_id=None)
    offered_now = {c.key for c in await categories.enabled(scope)}
    assert "sample_repair" not in offered_now and "sanitation" in offered_now
    assert (await scope.get(FeedbackItem, item.id)).category == offered["sample_repair"].id


async def test_items_go_where_the_plugin_routes_them_and_to_the_community_when_it_fails(sample, place):
    scope = place["scope"]
    await enablement.set_enabled(scope, "sample", True, actor_id=None)
    repair = {c.key: c for c in await categories.enabled(scope)}["sample_repair"]

    routed = await _submit(place, repair.id, "东风路1号", "key-000001")
    assert (routed.party_type, routed.party_id) == ("sample_office", 7)

    unknown = await _submit(place, repair.id, "无名路", "key-000002")  # the plugin's lookup raises KeyError
    assert (unknown.party_type, unknown.party_id) == ("community", place["community"].id)
    assert await scope.count(FeedbackItem) == 2
    row = await scope.objects(PluginEnablement).where(PluginEnablement.plugin == "sample").first()
    assert row.failures == 1 and row.state == "enabled" and "KeyError" in row.last_error
    assert row.last_error.startswith("feedback routing")
