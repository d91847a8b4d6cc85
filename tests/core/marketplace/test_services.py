"""Publishing a wheel and reviewing it: every refusal names its problem and keeps nothing;
an accepted wheel is kept with its sha256, pending review; approving and rejecting are
audited, and what changed since the previous approved version is told."""

from __future__ import annotations

import hashlib
import json
import zipfile
from io import BytesIO

import pytest

from core.errors import ValidationFailed
from core.plugins.manifest import CORE_API_VERSION
from tests.core.marketplace.wheels import MANIFEST, PACKAGE, edit, good, project, wheel


async def _kept(settings) -> tuple[int, int, set[str]]:
    """Releases, plugins and platform files kept: a refusal must change none of them."""
    from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease
    from core.storage.platform import PlatformFile

    root = settings.var_dir / "storage" / "platform"
    on_disk = {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    rows = {row["key"] for row in await PlatformFile.select(PlatformFile.key)}
    return await MarketplaceRelease.count(), await MarketplacePlugin.count(), on_disk | rows


async def _refused(settings, data: bytes, publisher, filename: str = "gongzhi_parking-1.0.0-py3-none-any.whl") -> str:
    from core.marketplace import services

    before = await _kept(settings)
    with pytest.raises(ValidationFailed) as caught:
        await services.publish(settings, data, filename, publisher_id=publisher.id)
    assert await _kept(settings) == before
    assert set(caught.value.errors) == {"wheel"}
    message = caught.value.errors["wheel"]
    return message.msgid % message.params  # in English, whatever the catalogue says


async def test_a_good_wheel_is_kept_pending_with_its_sha256(settings, publisher, tmp_path):
    from core.marketplace import services
    from core.storage import platform

    data = good(tmp_path)
    release = await services.publish(settings, data, "gongzhi_parking-1.0.0-py3-none-any.whl",
                                     publisher_id=publisher.id, changelog="First release.")
    assert (release.status, release.version, release.size) == ("pending", "1.0.0", len(data))
    assert release.sha256 == hashlib.sha256(data).hexdigest()
    assert release.file_key.startswith("platform/wheels/")
    assert await platform.get(settings, release.file_key) == data
    assert json.loads(release.manifest)["capabilities"] == ["residents:read", "notify:send"]
    assert release.changelog == "First release." and release.submitted_by == publisher.id
    assert await services.plugin_name(release) == "parking"


async def test_a_file_that_is_not_a_wheel(settings, publisher):
    message = await _refused(settings, b"#!/bin/sh\necho hello\n", publisher, "evil.whl")
    assert "evil.whl: not a wheel: the file is not a zip archive" in message
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("gongzhi_parking/plugin.py", "")
    assert "not a wheel: it has no *.dist-info/METADATA" in await _refused(settings, buffer.getvalue(), publisher)
    assert "Choose a wheel" in await _refused(settings, b"", publisher)


async def test_a_wheel_with_no_entry_point(settings, publisher, tmp_path):
    message = await _refused(settings, wheel(project(tmp_path), entry_point=False), publisher)
    assert 'entry_points.txt: no entry point in the group "gongzhi.plugins"' in message


async def test_a_bad_manifest(settings, publisher, tmp_path):
    folder = project(tmp_path)
    edit(folder / MANIFEST, 'key = "allocation_day"\ntype = "integer"\ndefault = 1\n',
         'key = "allocation_day"\ntype = "integer"\ndefault = "first"\n')
    assert f"{MANIFEST}: settings[2].default: must be of type integer" in await _refused(
        settings, wheel(folder), publisher)


async def test_a_hookimpl_of_an_unknown_hook(settings, publisher, tmp_path):
    folder = project(tmp_path)
    edit(folder / PACKAGE / "plugin.py", "def home_tiles(visit)", "def home_tile(visit)")
    message = await _refused(settings, wheel(folder), publisher)
    assert f"{PACKAGE}/plugin.py:" in message and "home_tile" in message


async def test_a_hookimpl_with_an_argument_its_hook_does_not_take(settings, publisher, tmp_path):
    folder = project(tmp_path)
    edit(folder / PACKAGE / "plugin.py", "def navigation(visit)", "def navigation(visit, user)")
    message = await _refused(settings, wheel(folder), publisher)
    assert f"{PACKAGE}/plugin.py:" in message and "user" in message


async def test_a_core_range_that_excludes_this_core(settings, publisher, tmp_path):
    folder = project(tmp_path)
    edit(folder / MANIFEST, 'core = ">=1.0,<2"', 'core = ">=2.0,<3"')
    assert (f"{MANIFEST}: core: the range '>=2.0,<3' excludes this core: Gongzhi's plugin API is version "
            f"{CORE_API_VERSION}") in await _refused(settings, wheel(folder), publisher)


async def test_a_capability_used_but_not_declared(settings, publisher, tmp_path):
    folder = project(tmp_path)
    edit(folder / MANIFEST, 'capabilities = ["residents:read", "notify:send"]', 'capabilities = ["residents:read"]')
    message = await _refused(settings, wheel(folder), publisher)
    assert f"{PACKAGE}/services.py:" in message
    assert "notify() needs the capability 'notify:send', which the manifest does not declare" in message


@pytest.mark.parametrize("review", ["pending", "approved", "rejected"])
async def test_a_version_already_published_whatever_its_review(settings, publisher, platform_admin, tmp_path,
                                                               review):
    from core.marketplace import services

    first = await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    if review == "approved":
        await services.approve(first.id, platform_admin.id)
    elif review == "rejected":
        await services.reject(first.id, platform_admin.id, "Too noisy.")
    assert "Version 1.0.0 of parking is already published" in await _refused(settings, good(tmp_path), publisher)


async def test_a_name_owned_by_another_publisher(settings, publisher, other_publisher, tmp_path):
    from core.marketplace import services

    await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    assert "The plugin name parking belongs to another publisher." in await _refused(
        settings, good(tmp_path, "1.1.0"), other_publisher)
    second = await services.publish(settings, good(tmp_path, "1.1.0"), "b.whl", publisher_id=publisher.id)
    assert second.version == "1.1.0" and second.plugin_id is not None


async def test_a_name_the_marketplace_uses_for_its_pages_is_reserved(settings, publisher, tmp_path):
    from core.plugins import scaffold

    folder = scaffold.create("publish", tmp_path)
    message = await _refused(settings, wheel(folder, package="gongzhi_publish", version="0.1.0"), publisher)
    assert "The plugin name publish is reserved by the marketplace" in message


async def test_a_failed_write_removes_the_kept_wheel(settings, publisher, tmp_path, monkeypatch):
    from core.marketplace import services
    from core.marketplace.tables import MarketplaceRelease

    async def broken(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    before = await _kept(settings)
    monkeypatch.setattr(MarketplaceRelease, "save", broken)
    with pytest.raises(RuntimeError):
        await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    monkeypatch.undo()
    after = await _kept(settings)
    assert (after[0], after[2]) == (before[0], before[2])


async def _audit(action: str) -> list[dict]:
    from core.audit.tables import AuditEntry

    return await AuditEntry.select().where(AuditEntry.action == action)


async def test_approve_is_audited(settings, publisher, platform_admin, tmp_path):
    from core.marketplace import services

    release = await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    approved = await services.approve(release.id, platform_admin.id)
    assert (approved.status, approved.reviewed_by) == ("approved", platform_admin.id)
    assert approved.reviewed_at is not None
    [entry] = await _audit("marketplace.release_approved")
    assert (entry["actor_id"], entry["target"]) == (platform_admin.id, "parking==1.0.0")
    with pytest.raises(ValidationFailed) as caught:
        await services.reject(release.id, platform_admin.id, "Changed my mind.")
    assert set(caught.value.errors) == {"status"}


async def test_reject_needs_a_reason_the_publisher_sees(settings, publisher, platform_admin, tmp_path):
    from core.marketplace import services

    release = await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    with pytest.raises(ValidationFailed) as caught:
        await services.reject(release.id, platform_admin.id, "   ")
    assert set(caught.value.errors) == {"reason"}
    assert (await services.release(release.id)).status == "pending"
    await services.reject(release.id, platform_admin.id, "Sends too many notifications.")
    [entry] = await _audit("marketplace.release_rejected")
    assert entry["actor_id"] == platform_admin.id
    assert json.loads(entry["details"])["reason"] == "Sends too many notifications."
    [mine] = await services.releases_of(publisher.id)
    assert (mine["plugin"], mine["status"], mine["rejection_reason"]) == (
        "parking", "rejected", "Sends too many notifications.")


async def test_what_changed_since_the_previous_approved_version(settings, publisher, platform_admin, tmp_path):
    from core.marketplace import services

    first = await services.publish(settings, good(tmp_path), "a.whl", publisher_id=publisher.id)
    changes = await services.what_changed(first)
    assert changes.previous == "" and changes.capabilities_added == ["notify:send", "residents:read"]
    await services.approve(first.id, platform_admin.id)

    folder = project(tmp_path, "1.1.0")
    edit(folder / MANIFEST, 'capabilities = ["residents:read", "notify:send"]',
         'capabilities = ["residents:read", "notify:send", "storage:use"]')
    edit(folder / MANIFEST, 'key = "rules"', 'key = "notes"')
    rejected = await services.publish(settings, wheel(folder), "b.whl", publisher_id=publisher.id)
    await services.reject(rejected.id, platform_admin.id, "No.")

    folder = project(tmp_path, "1.2.0")
    edit(folder / MANIFEST, 'capabilities = ["residents:read", "notify:send"]', 'capabilities = ["residents:read"]')
    edit(folder / PACKAGE / "services.py", "plugin.notify(", "plugin.notify_not(")
    later = await services.publish(settings, wheel(folder), "c.whl", publisher_id=publisher.id)
    changes = await services.what_changed(later)
    # Against 1.0.0, the last approved: the rejected 1.1.0 does not count.
    assert changes == services.Changes(previous="1.0.0", capabilities_added=[], capabilities_removed=["notify:send"],
                                       settings_added=[], settings_removed=[])
