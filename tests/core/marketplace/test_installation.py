"""``gongzhi plugin install``: exactly the approved wheel, into a throwaway environment (never
the test run's own), with its migrations; anything else refused with the environment as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.marketplace.wheels import edit, wheel
from tests.environments import throwaway_environment

LANTERNS = "gongzhi_lanterns"
COLOUR_MIGRATION = '''from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-02-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a note's colour"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lanterns", description=DESCRIPTION)
    manager.add_column(table_class_name="Note", tablename="lanterns_note", column_name="colour",
                       db_column_name="colour", column_class_name="Varchar", column_class=Varchar,
                       params={"length": 20, "default": "", "null": False})
    return manager
'''


def lanterns(tmp_path: Path, version: str) -> bytes:
    """A wheel of a scaffolded plugin ``lanterns`` at ``version``; 0.2.0 adds a column and its
    migration."""
    from core.plugins import scaffold

    folder = scaffold.create("lanterns", tmp_path / version)
    manifest = folder / LANTERNS / "manifest.toml"
    edit(manifest, 'version = "0.1.0"', f'version = "{version}"')
    if version == "0.2.0":
        tables = folder / LANTERNS / "tables.py"
        text = tables.read_text(encoding="utf-8")
        assert "Varchar" in text
        tables.write_text(text.rstrip() + '\n    colour = Varchar(length=20, default="")\n', encoding="utf-8")
        (folder / LANTERNS / "migrations" / "lanterns_2026_02_01t00_00_00_000000.py").write_text(COLOUR_MIGRATION)
    return wheel(folder, package=LANTERNS, version=version)


async def approved(settings, publisher, platform_admin, data: bytes, version: str, *, core: str | None = None):
    from core.marketplace import services
    from core.marketplace.tables import MarketplaceRelease

    release = await services.publish(settings, data, f"{LANTERNS}-{version}-py3-none-any.whl",
                                     publisher_id=publisher.id, changelog=f"Version {version}")
    await services.approve(release.id, platform_admin.id)
    if core is not None:
        manifest = json.loads(release.manifest)
        manifest["core"] = core
        await MarketplaceRelease.update({MarketplaceRelease.manifest: json.dumps(manifest)}).where(
            MarketplaceRelease.id == release.id)
    return release


@pytest.fixture
def environment(tmp_path: Path) -> Path:
    throwaway_environment(tmp_path / "env")
    return tmp_path / "env"


def gongzhi(environment: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    return subprocess.run([str(environment / "bin" / "python"), "-m", "core.cli", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def contents(environment: Path) -> dict[str, tuple[int, int]]:
    """Every file of the environment with its size and modification time."""
    return {str(p.relative_to(environment)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in environment.rglob("*") if p.is_file()}


@pytest.fixture
async def forget_lanterns(database):
    """The lanterns table and migrations the installs leave in the test database are removed."""
    yield
    from core import db

    owner_url = os.environ.get("GONGZHI_DATABASE_OWNER_URL")
    if owner_url:
        import asyncpg

        connection = await asyncpg.connect(owner_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute("DROP TABLE IF EXISTS lanterns_note")
            await connection.execute("DELETE FROM migration WHERE app_name = 'lanterns'")
        finally:
            await connection.close()
    else:
        table = db.all_tables()[0]
        await table.raw("DROP TABLE IF EXISTS lanterns_note")
        await table.raw("DELETE FROM migration WHERE app_name = 'lanterns'")


async def _stored_wheel_changed(settings, release) -> bytes:
    """Changes one byte of the stored wheel (as a person with access to the store could); returns
    the original bytes."""
    from core.storage import platform as files

    original = await files.get(settings, release.file_key)
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    if settings.storage == "database":
        await files.PlatformFile.update({files.PlatformFile.data: bytes(changed)}).where(
            files.PlatformFile.key == release.file_key)
    else:
        files._path(settings, release.file_key).write_bytes(bytes(changed))
    return original


async def _restore(settings, release, original: bytes) -> None:
    from core.storage import platform as files

    if settings.storage == "database":
        await files.PlatformFile.update({files.PlatformFile.data: original}).where(
            files.PlatformFile.key == release.file_key)
    else:
        files._path(settings, release.file_key).write_bytes(original)


async def test_install_verifies_the_wheel_then_upgrades_with_migrations(
        tmp_path, settings, publisher, platform_admin, environment, forget_lanterns):
    from core.audit.tables import AuditEntry

    await approved(settings, publisher, platform_admin, lanterns(tmp_path, "0.1.0"), "0.1.0")
    second = await approved(settings, publisher, platform_admin, lanterns(tmp_path, "0.2.0"), "0.2.0")

    first = gongzhi(environment, "plugin", "install", "lanterns==0.1.0")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Installed lanterns 0.1.0" in first.stdout
    listed = gongzhi(environment, "plugin", "list")
    assert "lanterns" in listed.stdout and "0.1.0" in listed.stdout
    assert "lanterns" not in subprocess.run([sys.executable, "-m", "core.cli", "plugin", "list"],
                                            capture_output=True, text=True).stdout, "the test run's own is unchanged"

    # One byte of the approved 0.2.0 changed in the store: refused, and nothing in the environment moves.
    before = contents(environment)
    original = await _stored_wheel_changed(settings, second)
    tampered = gongzhi(environment, "plugin", "install", "lanterns")
    assert tampered.returncode == 1
    assert "is not the one approved" in tampered.stderr and second.sha256 in tampered.stderr
    assert contents(environment) == before
    assert "0.1.0" in gongzhi(environment, "plugin", "list").stdout

    await _restore(settings, second, original)
    upgraded = gongzhi(environment, "plugin", "install", "lanterns")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert "replacing 0.1.0" in upgraded.stdout and "Installed lanterns 0.2.0" in upgraded.stdout
    assert "0.2.0" in gongzhi(environment, "plugin", "list").stdout
    from core.db import all_tables

    columns = await all_tables()[0].raw("SELECT colour FROM lanterns_note")
    assert columns == []  # the upgrade's migration added the column
    actions = [row["target"] for row in await AuditEntry.select(AuditEntry.target).where(
        AuditEntry.action == "marketplace.release_installed").order_by(AuditEntry.id)]
    assert actions == ["lanterns==0.1.0", "lanterns==0.2.0"]


async def test_which_release_is_chosen_and_why_others_are_refused(tmp_path, settings, publisher, platform_admin):
    from core.marketplace import installation, services

    with pytest.raises(installation.InstallError, match="no plugin named lanterns"):
        await installation.choose("lanterns", None)
    pending = await services.publish(settings, lanterns(tmp_path, "0.1.0"), f"{LANTERNS}-0.1.0-py3-none-any.whl",
                                     publisher_id=publisher.id)
    with pytest.raises(installation.InstallError, match="no approved release yet"):
        await installation.choose("lanterns", None)
    with pytest.raises(installation.InstallError, match="0.1.0 is still pending review"):
        await installation.choose("lanterns", "0.1.0")
    await services.reject(pending.id, platform_admin.id, "Describe what it does.")
    with pytest.raises(installation.InstallError, match="0.1.0 is rejected"):
        await installation.choose("lanterns", "0.1.0")

    await approved(settings, publisher, platform_admin, lanterns(tmp_path, "0.2.0"), "0.2.0")
    await approved(settings, publisher, platform_admin, lanterns(tmp_path, "0.3.0"), "0.3.0", core=">=2.0,<3")
    assert (await installation.choose("lanterns", None)).version == "0.2.0", "the newest that supports this core"
    with pytest.raises(installation.InstallError) as refused:
        await installation.choose("lanterns", "0.3.0")
    assert "supports core >=2.0,<3" in str(refused.value) and "core API 1.0" in str(refused.value)
    with pytest.raises(installation.InstallError, match="no version 9.9.9.*approved versions: 0.3.0, 0.2.0"):
        await installation.choose("lanterns", "9.9.9")
    for spec in ("", "Lanterns", "lanterns==", "lanterns>=1"):
        with pytest.raises(installation.InstallError, match="not a plugin to install"):
            installation.parse_spec(spec)


async def test_a_requirement_this_environment_lacks_is_refused_before_pip(
        tmp_path, settings, publisher, platform_admin):
    from core.marketplace import installation
    from core.plugins import scaffold

    folder = scaffold.create("lanterns", tmp_path)
    data = wheel(folder, package=LANTERNS, version="0.1.0", requires=("gongzhi", "no-such-distribution>=2"))
    await approved(settings, publisher, platform_admin, data, "0.1.0")
    said: list[str] = []
    with pytest.raises(installation.InstallError) as refused:
        await installation.install(settings, "lanterns", said.append)
    assert "no-such-distribution>=2" in str(refused.value) and "nothing was installed" in str(refused.value)
    assert said == [], "pip was never run"
    assert installation.installed_version("gongzhi-lanterns") is None
