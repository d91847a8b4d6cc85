"""``gongzhi plugin install NAME[==VERSION]``: an approved release into this environment.

The operator installs exactly the wheel the platform's admins approved: it is read from the
platform's store and its sha256 must be the one recorded at upload, so a file changed since
(on disk, in the database, by anyone) is refused before pip sees it and the environment is left
as it was. The release must support the core running here; without a version, the newest
approved release that does is chosen. Its requirements must already be installed: pip is run
with ``--no-deps --no-index``, so nothing unreviewed comes from a package index with it. After
pip, the migrations run in a new process (which loads the new code), so an upgrade's tables and
columns are there before the app is restarted and districts enable it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import HeaderParser
from importlib import metadata
from io import BytesIO
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from core.audit import services as audit
from core.config import Settings
from core.errors import NotFound
from core.marketplace.catalogue import supports_core, version_key
from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease, ReleaseStatus
from core.plugins.manifest import CORE_API_VERSION, NAME
from core.storage import platform as files

_SPEC = re.compile(r"^(?P<name>[^=\s]+)(?:==(?P<version>\S+))?$")


class InstallError(Exception):
    """A release that is not installed; the message says exactly why, and nothing was changed."""


@dataclass(frozen=True)
class Installed:
    name: str
    version: str
    sha256: str
    distribution: str


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME==VERSION`` as (name, version or None)."""
    found = _SPEC.match(spec.strip())
    if found is None or not NAME.match(found["name"]):
        raise InstallError(f"{spec!r} is not a plugin to install: give NAME or NAME==VERSION (e.g. parking==1.2.0)")
    return found["name"], found["version"]


def _core_range(release: MarketplaceRelease) -> str:
    return str(json.loads(release.manifest).get("core", ""))


def supports_this_core(release: MarketplaceRelease) -> bool:
    return supports_core(_core_range(release))


async def choose(name: str, version: str | None) -> MarketplaceRelease:
    """The approved release to install: ``version`` exactly, or the newest approved one that
    supports this core."""
    plugin = await MarketplacePlugin.objects().where(MarketplacePlugin.name == name).first()
    if plugin is None:
        raise InstallError(f"The marketplace has no plugin named {name}.")
    releases = await MarketplaceRelease.objects().where(MarketplaceRelease.plugin_id == plugin.id)
    approved = sorted((r for r in releases if r.status == ReleaseStatus.approved.value), key=lambda r: version_key(r.version), reverse=True)
    if version is not None:
        wanted = next((r for r in releases if r.version == version), None)
        if wanted is None:
            raise InstallError(f"{name} has no version {version} in the marketplace; approved versions: "
                               + (", ".join(r.version for r in approved) or "none"))
        if wanted.status != ReleaseStatus.approved.value:
            state = "still pending review" if wanted.status == ReleaseStatus.pending.value else "rejected"
            raise InstallError(f"{name} {version} is {state}, not approved: only approved releases are installed.")
        if not supports_this_core(wanted):
            raise InstallError(f"{name} {version} supports core {_core_range(wanted)}, and this platform runs core "
                               f"API {CORE_API_VERSION}: it would not load. Install a version made for this core.")
        return wanted
    if not approved:
        raise InstallError(f"{name} has no approved release yet: a platform admin reviews it at /admin/marketplace.")
    for release in approved:
        if supports_this_core(release):
            return release
    raise InstallError(f"No approved release of {name} supports core API {CORE_API_VERSION}: the newest, "
                       f"{approved[0].version}, supports core {_core_range(approved[0])}.")


def _wheel_metadata(wheel: bytes) -> tuple[str, list[Requirement]]:
    """The wheel's distribution name and requirements, from its METADATA."""
    with zipfile.ZipFile(BytesIO(wheel)) as archive:
        [path] = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        headers = HeaderParser().parsestr(archive.read(path).decode("utf-8"))
    requirements = []
    for line in headers.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            raise InstallError(f"The wheel's requirement {line!r} cannot be read.") from None
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            requirements.append(requirement)
    return headers["Name"], requirements


def _missing(requirements: list[Requirement]) -> list[str]:
    """Requirements this environment does not satisfy."""
    missing = []
    for requirement in requirements:
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(str(requirement))
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{requirement} (installed: {installed})")
    return missing


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(canonicalize_name(distribution))
    except metadata.PackageNotFoundError:
        return None


async def install(settings: Settings, spec: str, echo: Callable[[str], None]) -> Installed:
    """Install the chosen release into the environment of this interpreter, then migrate."""
    name, version = parse_spec(spec)
    release = await choose(name, version)
    try:
        wheel = await files.get(settings, release.file_key)
    except NotFound:
        raise InstallError(f"The wheel of {name} {release.version} is missing from the platform's store "
                           f"({release.file_key}); nothing was installed.") from None
    found = hashlib.sha256(wheel).hexdigest()
    if found != release.sha256:
        raise InstallError(f"The stored wheel of {name} {release.version} is not the one approved: its sha256 is "
                           f"{found}, the approved one's {release.sha256}. It was changed after review; nothing was "
                           "installed.")
    try:
        parse_wheel_filename(release.filename)
    except InvalidWheelFilename:
        raise InstallError(f"The release's file name {release.filename!r} is not a wheel's: it cannot be "
                           "installed.") from None
    distribution, requirements = _wheel_metadata(wheel)
    missing = _missing(requirements)
    if missing:
        raise InstallError(f"{name} {release.version} needs what this environment does not have: "
                           + "; ".join(missing) + ". Install those first (they are not reviewed by the marketplace); "
                           "nothing was installed.")

    before = installed_version(distribution)
    with tempfile.TemporaryDirectory(prefix="gongzhi-install-") as folder:
        path = Path(folder) / release.filename
        path.write_bytes(wheel)
        echo(f"Installing {name} {release.version} ({distribution}, sha256 {release.sha256})"
             + (f", replacing {before}" if before else ""))
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                                 "--disable-pip-version-check", "--force-reinstall", str(path)],
                                capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise InstallError("pip could not install the wheel:\n" + "\n".join(output[-20:]))

    migrated = subprocess.run([sys.executable, "-m", "core.cli", "migrate"], capture_output=True, text=True,
                              env={**os.environ})
    for line in migrated.stdout.strip().splitlines():
        echo(line)
    if migrated.returncode != 0:
        raise InstallError(f"{name} {release.version} is installed, but its migrations failed; fix the cause and run "
                           "gongzhi migrate:\n" + (migrated.stdout + migrated.stderr).strip()[-2000:])
    await audit.record("marketplace.release_installed", target=f"{name}=={release.version}", sha256=release.sha256,
                       replaced=before or "")
    return Installed(name, release.version, release.sha256, distribution)
