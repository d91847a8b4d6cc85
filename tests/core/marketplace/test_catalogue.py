"""The public catalogue (/marketplace): only approved releases, each plugin at its newest
approved version, searched and filtered by category, with how many districts use it and
whether it works with this core; one plugin's page lists every approved version with its
changelog. Nobody needs to sign in."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.tenancy import TenantScope
from tests.core.marketplace.wheels import good

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-Hans"}


def _manifest(name: str, version: str, **changes) -> dict:
    data = {
        "name": name, "version": version, "core": ">=1.0,<2", "licence": "MIT",
        "homepage": f"https://example.org/{name}", "capabilities": ["notify:send"],
        "title": {"zh-Hans": f"{name}中文", "en": f"{name.title()} service"},
        "description": {"zh-Hans": "居民预约社区活动室", "en": "Residents book the community room."},
        "author": {"name": "Example Org", "contact": "dev@example.org"},
        "settings": [{"key": "hours", "type": "integer", "default": 2,
                      "label": {"zh-Hans": "每次最多小时数", "en": "Hours per booking"}}],
        "roles": [{"name": f"{name}.keeper", "label": {"zh-Hans": "管理员", "en": "Room keeper"}}],
    }
    data.update(changes)
    return data


async def _release(name: str, version: str, status: str = "approved", changelog: str = "", **changes):
    """A release row as publishing and reviewing leave it (no wheel: the catalogue reads rows)."""
    from core import clock
    from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease

    plugin = await MarketplacePlugin.objects().where(MarketplacePlugin.name == name).first()
    if plugin is None:
        plugin = MarketplacePlugin(name=name, publisher_id=1, created_at=clock.now())
        await plugin.save()
    release = MarketplaceRelease(
        plugin_id=plugin.id, version=version, status=status, filename=f"{name}-{version}.whl", sha256="0" * 64,
        size=1, file_key=f"k-{name}-{version}", manifest=json.dumps(_manifest(name, version, **changes)),
        changelog=changelog, submitted_by=1, submitted_at=clock.now(),
        reviewed_by=1 if status != "pending" else None,
        reviewed_at=clock.now() - timedelta(days=1) if status != "pending" else None)
    await release.save()
    return release


async def test_a_published_and_approved_wheel_is_listed(client, settings, publisher, platform_admin, tmp_path):
    from core.marketplace import catalogue, services

    release = await services.publish(settings, good(tmp_path), "p.whl", publisher_id=publisher.id,
                                     changelog="First release.")
    assert await catalogue.listings() == []
    await services.approve(release.id, platform_admin.id)
    (listing,) = await catalogue.listings()
    assert (listing.name, listing.version, listing.category, listing.compatible) == ("parking", "1.0.0", "services", True)
    assert [c for c, _label in listing.capabilities] == ["residents:read", "notify:send"]
    page = await client.get("/marketplace", headers=EN)
    assert page.status_code == 200 and 'data-plugin="parking"' in page.text
    assert "Community parking" in page.text and "Community services" in page.text
    assert "Send notifications to people" in page.text and "Works with this platform" in page.text


async def test_only_approved_releases_are_shown_at_the_newest_approved_version(database):
    from core.marketplace import catalogue

    await _release("rooms", "1.0.0")
    await _release("rooms", "1.10.0")
    await _release("rooms", "1.9.0")
    await _release("rooms", "2.0.0", status="pending")
    await _release("rooms", "3.0.0", status="rejected")
    await _release("waiting", "1.0.0", status="pending")
    await _release("refused", "1.0.0", status="rejected")
    (listing,) = await catalogue.listings()
    assert (listing.name, listing.version) == ("rooms", "1.10.0")
    page = await catalogue.plugin_page("rooms")
    assert [v.version for v in page.versions] == ["1.10.0", "1.9.0", "1.0.0"]
    for name in ("waiting", "refused", "nothing"):
        with pytest.raises(Exception) as raised:
            await catalogue.plugin_page(name)
        assert type(raised.value).__name__ == "NotFound"


async def test_search_matches_name_title_and_description_in_either_language(database):
    from core.marketplace import catalogue

    await _release("rooms", "1.0.0")
    await _release("lanterns", "1.0.0", title={"zh-Hans": "灯笼节", "en": "Lantern festival"},
                   description={"zh-Hans": "节日活动报名", "en": "Sign-ups for festival events."})

    async def names(q="", category=""):
        return [listing.name for listing in await catalogue.listings(q, category)]

    assert await names() == ["lanterns", "rooms"]
    assert await names("LANTERN") == ["lanterns"]
    assert await names("灯笼") == ["lanterns"]
    assert await names("community room") == ["rooms"]
    assert await names("活动") == ["lanterns", "rooms"]
    assert await names("rooms") == ["rooms"]
    assert await names("teleport") == []


async def test_the_category_filter(database):
    from core.marketplace import catalogue

    await _release("rooms", "1.0.0", category="services")
    await _release("helpers", "1.0.0", category="volunteering")
    await _release("misc", "1.0.0")
    assert [p.name for p in await catalogue.listings(category="volunteering")] == ["helpers"]
    assert [p.name for p in await catalogue.listings(category="other")] == ["misc"]
    assert [p.name for p in await catalogue.listings("rooms", category="volunteering")] == []
    # An unknown category filters nothing.
    assert len(await catalogue.listings(category="games")) == 3


async def test_the_district_count_counts_only_districts_where_it_is_enabled(tenant, other_tenant, make_tenant):
    from core.marketplace import catalogue
    from core.plugins import enablement

    await _release("parking", "1.0.0")
    await _release("rooms", "1.0.0")
    assert {p.name: p.districts for p in await catalogue.listings()} == {"parking": 0, "rooms": 0}
    await enablement.set_enabled(TenantScope(tenant.id), "parking", True, actor_id=None)
    await enablement.set_enabled(TenantScope(other_tenant.id), "parking", True, actor_id=None)
    suspended = await make_tenant("liquan", "礼泉县", "610481", status="suspended")
    await enablement.set_enabled(TenantScope(suspended.id), "parking", True, actor_id=None)
    assert {p.name: p.districts for p in await catalogue.listings()} == {"parking": 2, "rooms": 0}
    await enablement.set_enabled(TenantScope(other_tenant.id), "parking", False, actor_id=None)
    listing, _rooms = await catalogue.listings()
    assert (listing.name, listing.districts) == ("parking", 1)
    assert (await catalogue.plugin_page("parking")).listing.districts == 1


async def test_a_release_for_another_core_is_shown_as_not_compatible(client, database):
    from core.marketplace import catalogue

    await _release("rooms", "1.0.0")
    await _release("rooms", "2.0.0", core=">=2.0,<3", changelog="Needs core 2.")
    (listing,) = await catalogue.listings()
    assert (listing.version, listing.compatible) == ("2.0.0", False)
    page = await client.get("/marketplace", headers=EN)
    assert "Not compatible with this platform (needs core &gt;=2.0,&lt;3)" in page.text
    detail = await client.get("/marketplace/rooms", headers=EN)
    assert [v.compatible for v in (await catalogue.plugin_page("rooms")).versions] == [False, True]
    assert "Works with this platform" in detail.text


async def test_the_plugin_page_shows_each_version_with_its_changelog(client, database):
    await _release("rooms", "1.0.0", changelog="First release.")
    await _release("rooms", "1.1.0", changelog="Bookings can be cancelled.")
    await _release("rooms", "1.2.0", status="pending", changelog="Not reviewed yet.")
    await _release("rooms", "1.3.0", status="rejected", changelog="Refused.")
    page = await client.get("/marketplace/rooms", headers=EN)
    assert page.status_code == 200
    text = page.text
    assert 'data-version="1.1.0"' in text and 'data-version="1.0.0"' in text
    assert text.index('data-version="1.1.0"') < text.index('data-version="1.0.0"')
    assert "First release." in text and "Bookings can be cancelled." in text
    assert "Not reviewed yet." not in text and "Refused." not in text and "1.2.0" not in text
    assert "Hours per booking" in text and "Room keeper" in text and "Example Org" in text
    assert "https://example.org/rooms" in text and "MIT" in text


async def test_an_unknown_or_unapproved_plugin_is_not_found(client, database):
    await _release("waiting", "1.0.0", status="pending")
    assert (await client.get("/marketplace/nothing", headers=EN)).status_code == 404
    assert (await client.get("/marketplace/waiting", headers=EN)).status_code == 404


async def test_the_pages_read_in_the_readers_language(client, database):
    await _release("rooms", "1.0.0")
    zh = await client.get("/marketplace", headers=ZH)
    assert "rooms中文" in zh.text and "向人员发送通知" in zh.text
    en = await client.get("/marketplace", headers=EN)
    assert "Rooms service" in en.text and "Send notifications to people" in en.text
    detail = await client.get("/marketplace/rooms", headers=ZH)
    assert "每次最多小时数" in detail.text and "向人员发送通知" in detail.text


async def test_the_search_form_keeps_what_was_typed_and_says_when_nothing_matches(client, database):
    await _release("rooms", "1.0.0", category="services")
    page = await client.get("/marketplace", params={"q": "teleport", "category": "services"}, headers=EN)
    assert page.status_code == 200
    assert 'value="teleport"' in page.text and '<option value="services" selected>' in page.text
    assert "No plugin matches your search." in page.text
    empty = await client.get("/marketplace", headers=EN)
    assert "Rooms service" in empty.text and "No plugin matches" not in empty.text


async def test_the_catalogue_is_public_and_publish_still_answers_for_publishers(client, sign_in, publisher, database):
    first = await client.get("/marketplace", headers=EN)
    assert first.status_code == 200 and "No plugin has been approved yet." in first.text
    # /marketplace/publish is the publish page, not a plugin named "publish".
    anonymous = await client.get("/marketplace/publish", headers=EN)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/marketplace/publish"
    await sign_in(client, "13700000001")
    page = await client.get("/marketplace/publish", headers=EN)
    assert page.status_code == 200 and "Publish a plugin" in page.text
