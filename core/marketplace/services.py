"""Publishing a plugin's wheel and reviewing it.

An upload is checked whole before anything is kept: it must be a wheel that ``gongzhi plugin
check`` finds no problem in, for this core, of a version not published before, under a name
no other publisher owns. Only then are the wheel (with its sha256) and its release row kept,
pending review; if the row cannot be written, the kept wheel is removed again, so a refused
upload leaves nothing behind. A platform admin then approves it or rejects it with a reason
the publisher sees; both are in the audit log.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import re
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.version import Version

from core import clock, db
from core.audit import services as audit
from core.config import Settings
from core.errors import NotFound, ValidationFailed
from core.i18n import Message
from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease, ReleaseStatus
from core.plugins import checks
from core.plugins.host import ENTRY_POINT_GROUP
from core.storage import platform as files
from core.storage.store import clean_filename

# The largest wheel taken; checks.MAX_UNPACKED_BYTES bounds what it unpacks to.
MAX_WHEEL_BYTES = 20 * 1024 * 1024
# An upload's whole body: the wheel, its changelog and the form's other fields.
UPLOAD_MAX_BYTES = MAX_WHEEL_BYTES + 64 * 1024
FILES_NAMESPACE = "wheels"
REASON_MAX_LENGTH = 2000
CHANGELOG_MAX_LENGTH = 10000
# Names the marketplace's own pages use under /marketplace/.
RESERVED_NAMES = frozenset({"publish"})


def _refuse(message: Message) -> ValidationFailed:
    return ValidationFailed({"wheel": message})


def _already_published(report: checks.Report) -> ValidationFailed:
    return _refuse(Message("Version %(version)s of %(name)s is already published: raise the version in manifest.toml.",
                           {"version": report.version, "name": report.name}))


def _manifest_of(wheel_bytes: bytes) -> dict[str, Any]:
    """manifest.toml of an examined wheel, read from the folder of its entry point's module (as
    the host reads it)."""
    with zipfile.ZipFile(BytesIO(wheel_bytes)) as archive:
        names = archive.namelist()
        info = sorted(n for n in names if re.fullmatch(r"[^/]+\.dist-info/entry_points\.txt", n))[0]
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.read_string(archive.read(info).decode("utf-8"))
        module = next(iter(parser[ENTRY_POINT_GROUP].values())).split(":")[0].strip()
        module_path = module.replace(".", "/")
        folder = module_path if f"{module_path}/__init__.py" in names else str(PurePosixPath(module_path).parent)
        return tomllib.loads(archive.read(f"{folder}/manifest.toml").decode("utf-8"))


def _problems(wheel_bytes: bytes, filename: str) -> tuple[checks.Report, list[str]]:
    """The check's report on the wheel, and each problem as the publisher is told it (a
    problem of the whole file names the file as it was uploaded)."""
    # checks.examine reads a file named *.whl; the person's filename is never a path here.
    with tempfile.TemporaryDirectory(prefix="gongzhi-publish-") as folder:
        path = Path(folder) / "upload.whl"
        path.write_bytes(wheel_bytes)
        report = checks.examine(path)
    shown = clean_filename(filename)
    return report, [f"{shown if p.place == path.name else p.place}: {p.message}" for p in report.problems]


async def publish(settings: Settings, wheel_bytes: bytes, filename: str, *, publisher_id: int,
                  changelog: str = "") -> MarketplaceRelease:
    """Keep an uploaded wheel as a release pending review; ValidationFailed on the field
    ``wheel`` naming each problem, with nothing kept."""
    if not wheel_bytes:
        raise _refuse(Message("Choose a wheel (.whl) to upload."))
    if len(wheel_bytes) > MAX_WHEEL_BYTES:
        raise _refuse(Message("The wheel is larger than %(limit)s MB.", {"limit": MAX_WHEEL_BYTES // 1024 // 1024}))
    if len(changelog) > CHANGELOG_MAX_LENGTH:
        raise ValidationFailed({"changelog": Message("At most %(limit)s characters.", {"limit": CHANGELOG_MAX_LENGTH})})
    report, problems = _problems(wheel_bytes, filename)
    if problems:
        raise _refuse(Message("This wheel cannot be published: %(problems)s", {"problems": "; ".join(problems)}))
    if report.name in RESERVED_NAMES:
        raise _refuse(Message("The plugin name %(name)s is reserved by the marketplace: choose another.",
                              {"name": report.name}))
    manifest = _manifest_of(wheel_bytes)
    plugin = await MarketplacePlugin.objects().where(MarketplacePlugin.name == report.name).first()
    if plugin is not None and plugin.publisher_id != publisher_id:
        raise _refuse(Message("The plugin name %(name)s belongs to another publisher.", {"name": report.name}))
    if plugin is not None and await MarketplaceRelease.exists().where(
            (MarketplaceRelease.plugin_id == plugin.id) & (MarketplaceRelease.version == report.version)):
        raise _already_published(report)

    key = await files.put(settings, FILES_NAMESPACE, wheel_bytes)
    now = clock.now()
    try:
        async with db.transaction(write=True):
            if plugin is None:
                plugin = MarketplacePlugin(name=report.name, publisher_id=publisher_id, created_at=now)
                await plugin.save()
            release = MarketplaceRelease(
                plugin_id=plugin.id, version=report.version, status=ReleaseStatus.pending.value,
                filename=clean_filename(filename), sha256=hashlib.sha256(wheel_bytes).hexdigest(),
                size=len(wheel_bytes), file_key=key, manifest=json.dumps(manifest, ensure_ascii=False),
                report="[]", changelog=changelog.strip(), submitted_by=publisher_id, submitted_at=now)
            await release.save()
    except BaseException as error:
        await files.delete(settings, key)
        if db.is_unique_violation(error):
            # Another upload of the same name or version got there first.
            raise _already_published(report) from None
        raise
    await audit.record("marketplace.release_submitted", actor_id=publisher_id,
                       target=f"{report.name}=={report.version}", sha256=release.sha256)
    return release


async def release(release_id: int) -> MarketplaceRelease:
    found = await MarketplaceRelease.objects().where(MarketplaceRelease.id == release_id).first()
    if found is None:
        raise NotFound()
    return found


async def plugin_name(release_row: MarketplaceRelease) -> str:
    row = await MarketplacePlugin.select(MarketplacePlugin.name).where(
        MarketplacePlugin.id == release_row.plugin_id).first()
    return row["name"]


async def _review(release_id: int, reviewer_id: int, status: ReleaseStatus, reason: str) -> MarketplaceRelease:
    async with db.transaction(write=True):
        found = await release(release_id)
        if found.status != ReleaseStatus.pending.value:
            raise ValidationFailed({"status": Message("This release has already been reviewed.")})
        found.status, found.rejection_reason = status.value, reason
        found.reviewed_by, found.reviewed_at = reviewer_id, clock.now()
        await found.save()
    name = await plugin_name(found)
    await audit.record(f"marketplace.release_{status.value}", actor_id=reviewer_id,
                       target=f"{name}=={found.version}", reason=reason)
    return found


async def approve(release_id: int, reviewer_id: int) -> MarketplaceRelease:
    return await _review(release_id, reviewer_id, ReleaseStatus.approved, "")


async def reject(release_id: int, reviewer_id: int, reason: str) -> MarketplaceRelease:
    """Rejects a pending release; the reason is required, for the publisher reads it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": Message("Say why the release is rejected: the publisher reads it.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed({"reason": Message("At most %(limit)s characters.", {"limit": REASON_MAX_LENGTH})})
    return await _review(release_id, reviewer_id, ReleaseStatus.rejected, reason)


@dataclass(frozen=True)
class Changes:
    """What a release asks for that the previous approved version did not, and what it drops;
    ``previous`` is that version ("" when there is none: everything is new)."""

    previous: str
    capabilities_added: list[str]
    capabilities_removed: list[str]
    settings_added: list[str]
    settings_removed: list[str]


def _declared(manifest: dict[str, Any]) -> tuple[set[str], set[str]]:
    capabilities = {str(c) for c in manifest.get("capabilities", []) or []}
    settings = {str(s.get("key")) for s in manifest.get("settings", []) or [] if isinstance(s, dict)}
    return capabilities, settings


async def what_changed(release_row: MarketplaceRelease) -> Changes:
    """Capabilities and settings added and removed since the previous approved version."""
    approved = await MarketplaceRelease.select(MarketplaceRelease.version, MarketplaceRelease.manifest).where(
        (MarketplaceRelease.plugin_id == release_row.plugin_id)
        & (MarketplaceRelease.status == ReleaseStatus.approved.value)
        & (MarketplaceRelease.id != release_row.id))
    earlier = [row for row in approved if Version(row["version"]) < Version(release_row.version)]
    previous = max(earlier, key=lambda row: Version(row["version"]), default=None)
    before_caps, before_settings = _declared(json.loads(previous["manifest"])) if previous else (set(), set())
    caps, settings = _declared(json.loads(release_row.manifest))
    return Changes(previous=previous["version"] if previous else "",
                   capabilities_added=sorted(caps - before_caps), capabilities_removed=sorted(before_caps - caps),
                   settings_added=sorted(settings - before_settings),
                   settings_removed=sorted(before_settings - settings))


async def releases_of(publisher_id: int) -> list[dict[str, Any]]:
    """The publisher's releases, newest first, each with its plugin's name."""
    plugins = {row["id"]: row["name"] for row in await MarketplacePlugin.select(
        MarketplacePlugin.id, MarketplacePlugin.name).where(MarketplacePlugin.publisher_id == publisher_id)}
    if not plugins:
        return []
    rows = await MarketplaceRelease.select(
        *MarketplaceRelease.all_columns(exclude=[MarketplaceRelease.manifest, MarketplaceRelease.report]),
    ).where(MarketplaceRelease.plugin_id.is_in(list(plugins))).order_by(MarketplaceRelease.id, ascending=False)
    return [{**row, "plugin": plugins[row["plugin_id"]]} for row in rows]
