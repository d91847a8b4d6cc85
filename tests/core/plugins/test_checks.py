"""``gongzhi plugin check``: a plugin package is checked without being installed, and each
problem is reported with its place. The example plugin passes; a copy of it broken in one
way at a time gets exactly that problem, at that place."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from core.plugins.checks import Problem, check
from tests.core.marketplace.wheels import wheel as wheel_bytes
from core.plugins.manifest import CORE_API_VERSION

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "gongzhi-parking"
PACKAGE = "gongzhi_parking"
MANIFEST = f"{PACKAGE}/manifest.toml"
ZH_CATALOGUE = f"{PACKAGE}/locales/zh_Hans/LC_MESSAGES/parking.po"
EN_CATALOGUE = f"{PACKAGE}/locales/en/LC_MESSAGES/parking.po"


def _copy(tmp_path: Path) -> Path:
    project = tmp_path / "gongzhi-parking"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "tests", "build"))
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if text in line)


def _wheel(project: Path, folder: Path, *, entry_point: bool = True) -> Path:
    """A wheel of the project, laid out as setuptools lays one out, written into ``folder``."""
    folder.mkdir(exist_ok=True)
    path = folder / "gongzhi_parking-1.0.0-py3-none-any.whl"
    path.write_bytes(wheel_bytes(project, entry_point=entry_point))
    return path


def test_the_example_plugin_has_no_problem():
    assert check(EXAMPLE) == []


# The manifest ---------------------------------------------------------------------------


def test_a_manifest_field_of_the_wrong_type(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'key = "allocation_day"\ntype = "integer"\ndefault = 1\n',
          'key = "allocation_day"\ntype = "integer"\ndefault = "first"\n')
    assert check(project) == [Problem(f"{MANIFEST}: settings[2].default", "must be of type integer")]


def test_a_version_that_is_not_semantic(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'version = "1.0.0"', 'version = "1.0"')
    assert check(project) == [Problem(f"{MANIFEST}: version", "'1.0' is not a semantic version (e.g. 1.2.0)")]


def test_a_core_range_that_excludes_this_core(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'core = ">=1.0,<2"', 'core = ">=2.0,<3"')
    assert check(project) == [Problem(f"{MANIFEST}: core", f"the range '>=2.0,<3' excludes this core: Gongzhi's "
                                                           f"plugin API is version {CORE_API_VERSION}")]


def test_a_manifest_that_is_not_toml(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'name = "parking"', 'name = parking')
    [problem] = check(project)
    assert problem.place == MANIFEST and problem.message.startswith("not valid TOML: ")


# The entry point ------------------------------------------------------------------------


def test_no_entry_point(tmp_path):
    project = _copy(tmp_path)
    _edit(project / "pyproject.toml", '[project.entry-points."gongzhi.plugins"]\nparking = "gongzhi_parking.plugin"\n',
          "")
    assert check(project) == [Problem("pyproject.toml", 'no entry point in the group "gongzhi.plugins": Gongzhi '
                                                        'finds a plugin by it (in pyproject.toml: [project.entry-'
                                                        'points."gongzhi.plugins"] <name> = "<package>.plugin")')]


def test_an_entry_point_to_a_module_that_is_not_there(tmp_path):
    project = _copy(tmp_path)
    _edit(project / "pyproject.toml", 'parking = "gongzhi_parking.plugin"', 'parking = "gongzhi_parking.hooks"')
    assert check(project) == [Problem("pyproject.toml", "the entry point parking names the module "
                                                        "gongzhi_parking.hooks, which is not in the package")]


def test_an_entry_point_named_other_than_the_manifest(tmp_path):
    project = _copy(tmp_path)
    _edit(project / "pyproject.toml", 'parking = "gongzhi_parking.plugin"', 'parkings = "gongzhi_parking.plugin"')
    assert check(project) == [Problem("pyproject.toml", "the entry point is named parkings, the manifest's name is "
                                                        "parking: they must be the same")]


def test_a_project_with_no_pyproject(tmp_path):
    project = _copy(tmp_path)
    (project / "pyproject.toml").unlink()
    assert check(project) == [Problem("pyproject.toml", "there is no pyproject.toml: a plugin's project declares "
                                                        "its entry point there")]


# Hook implementations -------------------------------------------------------------------


def test_a_hookimpl_of_an_unknown_hook(tmp_path):
    project = _copy(tmp_path)
    plugin = project / PACKAGE / "plugin.py"
    _edit(plugin, "def home_tiles(visit)", "def home_tile(visit)")
    assert check(project) == [Problem(f"{PACKAGE}/plugin.py:{_line(plugin, 'def home_tile(')}",
                                      "hookimpl home_tile: there is no such hook (did you mean home_tiles?)")]


def test_a_hookimpl_with_an_argument_its_hook_does_not_take(tmp_path):
    project = _copy(tmp_path)
    plugin = project / PACKAGE / "plugin.py"
    _edit(plugin, "def navigation(visit)", "def navigation(visit, user)")
    assert check(project) == [Problem(f"{PACKAGE}/plugin.py:{_line(plugin, 'def navigation(')}",
                                      "hookimpl navigation: the hook has no argument 'user' (it takes visit)")]


def test_hookimpls_are_found_however_the_marker_is_spelled(tmp_path):
    project = _copy(tmp_path)
    (project / PACKAGE / "more.py").write_text(
        "from core import sdk\n\n\n@sdk.hookimpl(tryfirst=True)\ndef jobs(scope):\n    return []\n\n\n"
        "@sdk.hookimpl(specname=\"demo_data\")\nasync def fill(scope, slug, extra=None):\n    return None\n",
        encoding="utf-8")
    assert check(project) == [
        Problem(f"{PACKAGE}/more.py:5", "hookimpl jobs: the hook has no argument 'scope' (it takes no arguments)"),
        Problem(f"{PACKAGE}/more.py:10", "hookimpl demo_data: the hook has no argument 'extra' (it takes scope, slug)"),
    ]


# Imports ---------------------------------------------------------------------------------


def test_an_import_of_core_internals(tmp_path):
    project = _copy(tmp_path)
    services = project / PACKAGE / "services.py"
    _edit(services, "from core.sdk import", "from core.feedback import services as feedback\nfrom core.sdk import")
    assert check(project) == [Problem(f"{PACKAGE}/services.py:{_line(services, 'from core.feedback')}",
                                      "imports core.feedback: a plugin imports nothing of core but core.sdk, and "
                                      "nothing of tenants")]


def test_imports_of_tenants_and_of_core_by_its_parts(tmp_path):
    project = _copy(tmp_path)
    (project / PACKAGE / "more.py").write_text("import tenants.services\nfrom core import sdk, db\nimport core.sdk\n",
                                               encoding="utf-8")
    assert [(p.place, p.message.split(":")[0]) for p in check(project)] == [
        (f"{PACKAGE}/more.py:1", "imports tenants.services"), (f"{PACKAGE}/more.py:2", "imports core.db")]


# Tables and migrations -------------------------------------------------------------------


PERMIT = '\n\nclass Permit(TenantOwned, tablename="parking_permit"):\n    plate = Varchar(length=32)\n'


def test_a_table_with_no_migration(tmp_path):
    project = _copy(tmp_path)
    tables = project / PACKAGE / "tables.py"
    tables.write_text(tables.read_text(encoding="utf-8") + PERMIT, encoding="utf-8")
    assert check(project) == [Problem(f"{PACKAGE}/tables.py:{_line(tables, 'class Permit(')}",
                                      "table parking_permit: no migration of the package creates it")]


def test_a_raw_create_table_in_a_migration_counts(tmp_path):
    project = _copy(tmp_path)
    tables = project / PACKAGE / "tables.py"
    tables.write_text(tables.read_text(encoding="utf-8") + PERMIT, encoding="utf-8")
    (project / PACKAGE / "migrations" / "parking_2026_12_01t00_00_00_000000.py").write_text(
        'async def forwards():\n    await run("CREATE TABLE IF NOT EXISTS parking_permit (id serial primary key)")\n',
        encoding="utf-8")
    assert check(project) == []


def test_a_table_named_outside_the_plugin_and_one_not_owned_by_a_district(tmp_path):
    project = _copy(tmp_path)
    tables = project / PACKAGE / "tables.py"
    _edit(tables, 'tablename="parking_space"', 'tablename="space"')
    _edit(tables, "from core.sdk import N_, TenantOwned", "from piccolo.table import Table\n\nfrom core.sdk import N_, "
                                                         "TenantOwned")
    tables.write_text(tables.read_text(encoding="utf-8") + '\n\nclass Points(Table, tablename="parking_points"):\n'
                      "    total = Integer()\n", encoding="utf-8")
    space, points = _line(tables, "class Space("), _line(tables, "class Points(")
    assert check(project) == [
        Problem(f"{PACKAGE}/tables.py:{space}", "table space: a plugin's table names start with its name and _ "
                                                "(parking_…)"),
        Problem(f"{PACKAGE}/tables.py:{space}", "table space: no migration of the package creates it"),
        Problem(f"{PACKAGE}/tables.py:{points}", "table parking_points: derives from Table, not core.sdk.TenantOwned; "
                                                 "only a table the manifest lists in province_tables is not a "
                                                 "district's"),
        Problem(f"{PACKAGE}/tables.py:{points}", "table parking_points: no migration of the package creates it"),
    ]


# Translations ----------------------------------------------------------------------------


def test_a_missing_chinese_translation(tmp_path):
    project = _copy(tmp_path)
    _edit(project / ZH_CATALOGUE, 'msgid "Add a space"\nmsgstr "添加车位"\n\n', "")
    console = project / PACKAGE / "templates" / "console.html"
    used_at = f"{PACKAGE}/templates/console.html:{_line(console, 'Add a space')}"
    assert check(project) == [Problem(ZH_CATALOGUE, f"no translation of 'Add a space' (used at {used_at})")]


def test_an_empty_or_fuzzy_english_translation(tmp_path):
    project = _copy(tmp_path)
    _edit(project / EN_CATALOGUE, 'msgid "Parking rules"\nmsgstr "Parking rules"', 'msgid "Parking rules"\nmsgstr ""')
    _edit(project / EN_CATALOGUE, 'msgid "Add a space"\n', '#, fuzzy\nmsgid "Add a space"\n')
    messages = [(p.place, p.message.split(" (used")[0]) for p in check(project)]
    assert messages == [(EN_CATALOGUE, "no translation of 'Add a space'"),
                        (EN_CATALOGUE, "no translation of 'Parking rules'")]


def test_messages_core_translates_need_no_translation_of_the_plugin(tmp_path):
    project = _copy(tmp_path)
    _edit(project / ZH_CATALOGUE, 'msgid "Withdraw"\nmsgstr "撤回"\n\n', "")
    assert check(project) == []


def test_a_missing_catalogue(tmp_path):
    project = _copy(tmp_path)
    (project / ZH_CATALOGUE).unlink()
    [problem] = check(project)
    assert problem.place == ZH_CATALOGUE
    # The first message of the package, 'This field is required.', is core's: the first the plugin needs is the next.
    assert re.fullmatch(r"there is no Chinese catalogue here, and \d+ message\(s\) need it, the first 'Enter a plate "
                        rf"number like 陕D12345, or 陕AD12345 for a new-energy vehicle.' \(at {PACKAGE}/plates.py:33\)",
                        problem.message), problem.message


# Capabilities ----------------------------------------------------------------------------


def test_a_capability_used_but_not_declared(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'capabilities = ["residents:read", "notify:send"]', 'capabilities = ["residents:read"]')
    services = project / PACKAGE / "services.py"
    assert check(project) == [Problem(f"{PACKAGE}/services.py:{_line(services, 'plugin.notify(')}",
                                      "notify() needs the capability 'notify:send', which the manifest does not "
                                      "declare")]


def test_a_capability_reached_through_an_sdk_property_is_checked_too(tmp_path):
    project = _copy(tmp_path)
    services = project / PACKAGE / "services.py"
    services.write_text(services.read_text(encoding="utf-8") + (
        "\n\nasync def book_a_wash(scope, slot_id, person_id):\n"
        "    return await plugin.appointments.book(scope, slot_id, person_id)\n"), encoding="utf-8")
    assert check(project) == [Problem(f"{PACKAGE}/services.py:{_line(services, 'plugin.appointments.book(')}",
                                      "plugin.appointments needs the capability 'appointments:use', which the "
                                      "manifest does not declare")]


def test_every_sdk_method_that_requires_a_capability_is_known():
    from core.plugins.checks import _capability_of_method, _capability_of_property
    from core.sdk import Plugin

    needs = _capability_of_method()
    assert needs["people"] == "residents:read" and needs["store_file"] == "storage:use"
    assert needs["platform_operation"] == "platform:operations"
    assert {"roles", "template", "emit", "require"}.isdisjoint(needs)
    assert set(needs) <= set(vars(Plugin))
    assert needs["holders"] == "residents:read"
    assert _capability_of_property() == {"appointments": "appointments:use"}


# Wheels and other files ------------------------------------------------------------------


def test_a_wheel_of_the_example_has_no_problem(tmp_path):
    assert check(_wheel(_copy(tmp_path), tmp_path / "dist")) == []


def test_a_wheel_is_checked_as_the_project_is(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'version = "1.0.0"', 'version = "1.0"')
    assert check(_wheel(project, tmp_path / "dist")) == [
        Problem(f"{MANIFEST}: version", "'1.0' is not a semantic version (e.g. 1.2.0)")]


def test_a_wheel_with_no_entry_point(tmp_path):
    wheel = _wheel(_copy(tmp_path), tmp_path / "dist", entry_point=False)
    [problem] = check(wheel)
    assert problem.place == "gongzhi_parking-1.0.0.dist-info/entry_points.txt"
    assert problem.message.startswith('no entry point in the group "gongzhi.plugins"')


def test_a_file_that_is_not_a_wheel(tmp_path):
    fake = tmp_path / "gongzhi_parking-1.0.0-py3-none-any.whl"
    fake.write_bytes(b"#!/bin/sh\necho not a wheel\n")
    assert check(fake) == [Problem(fake.name, "not a wheel: the file is not a zip archive")]
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("gongzhi_parking/plugin.py", "")
    assert check(fake) == [Problem(fake.name, "not a wheel: it has no *.dist-info/METADATA")]


def test_neither_a_folder_nor_a_wheel(tmp_path):
    notes = tmp_path / "plugin.tar.gz"
    notes.write_bytes(b"\x1f\x8b")
    assert check(notes) == [Problem("plugin.tar.gz", "not a plugin package: give the project's folder (with its "
                                                     "pyproject.toml) or a wheel (.whl)")]
    assert check(tmp_path / "missing") == [Problem(str(tmp_path / "missing"), "there is no such file or folder")]


# The command -----------------------------------------------------------------------------


def _gongzhi_check(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env["GONGZHI_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run([sys.executable, "-m", "core.cli", "plugin", "check", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_says_ok_for_a_right_package(tmp_path):
    result = _gongzhi_check(EXAMPLE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "OK: parking 1.0.0\n"


def test_the_command_prints_each_problem_with_its_place(tmp_path):
    project = _copy(tmp_path)
    _edit(project / MANIFEST, 'version = "1.0.0"', 'version = "1.0"')
    _edit(project / MANIFEST, 'core = ">=1.0,<2"', 'core = ">=2.0,<3"')
    result = _gongzhi_check(project, tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{MANIFEST}: version: '1.0' is not a semantic version (e.g. 1.2.0)",
        f"{MANIFEST}: core: the range '>=2.0,<3' excludes this core: Gongzhi's plugin API is version "
        f"{CORE_API_VERSION}",
    ]
