"""A plugin's manifest is read without running the plugin: every field it declares, and every
problem in it reported naming its field."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from core import i18n
from core.plugins import manifest as manifests
from core.plugins.manifest import CORE_API_VERSION, ManifestError

SAMPLE = Path(__file__).resolve().parent / "sample_plugin"


def _sample_data() -> dict:
    return tomllib.loads((SAMPLE / "manifest.toml").read_text(encoding="utf-8"))


def test_the_sample_manifest_gives_every_field():
    manifest = manifests.load(SAMPLE)
    assert (manifest.name, manifest.version, manifest.core) == ("sample", "1.2.0", ">=1.0,<2")
    assert (manifest.title.zh, manifest.title.en) == ("示例服务", "Sample service")
    assert manifest.description.en == "A sample service the plugin host is tested with."
    assert (manifest.author, manifest.contact, manifest.licence) == ("Gongzhi", "dev@gongzhi.invalid", "MIT")
    assert manifest.homepage == "https://gongzhi.invalid/plugins/sample"
    assert manifest.capabilities == ("notify:send", "audit:write")
    assert (manifest.icon, manifest.category, manifest.folder) == ("icon.svg", "tools", SAMPLE)

    greeting, capacity, period, is_open = manifest.settings
    assert (greeting.key, greeting.type, greeting.default, greeting.max_length) == ("greeting", "string", "你好", 20)
    assert (greeting.label.en, greeting.help.zh) == ("Greeting", "首页上显示。")
    assert (capacity.type, capacity.default, capacity.minimum, capacity.maximum) == ("integer", 10, 1, 50)
    assert type(capacity.default) is int
    assert (period.type, period.default, period.choices) == ("choice", "weekly", ("weekly", "monthly"))
    assert (is_open.type, is_open.default) == ("boolean", True)
    assert manifest.setting("capacity") is capacity and manifest.setting("colour") is None

    (role,) = manifest.roles
    assert (role.name, role.scope, role.label.zh) == ("sample.clerk", "sample_office", "示例办事员")
    (office,) = manifest.party_types
    assert (office.name, office.escalates_to, office.label.en) == ("sample_office", "community", "Sample office")
    (category,) = manifest.categories
    assert (category.key, category.accept_hours, category.resolve_hours, category.party, category.private) == (
        "sample_repair", 12, 48, "sample_office", False)
    assert (category.name.zh, category.name.en) == ("示例报修", "Sample repairs")


def test_a_text_in_both_languages_reads_in_the_current_one():
    title = manifests.load(SAMPLE).title
    token = i18n.set_language("en")
    try:
        assert str(title) == "Sample service"
    finally:
        i18n.reset_language(token)
    token = i18n.set_language("zh-Hans")
    try:
        assert str(title) == "示例服务"
    finally:
        i18n.reset_language(token)


def _without(key):
    return lambda data: data.pop(key)


def _set(*path_and_value):
    *path, value = path_and_value

    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _own_party_type(name):
    """The plugin's party type renamed, and its role and category following it."""

    def change(data):
        data["party_types"][0]["name"] = data["roles"][0]["scope"] = data["categories"][0]["party"] = name

    return change


# (what is changed in the sample's manifest, the problem reported, which starts with its field)
PROBLEMS = [
    (_without("name"), "name: is required"),
    (_without("version"), "version: is required"),
    (_set("title", {"zh-Hans": "示例服务"}), "title: needs both zh-Hans and en"),
    (_set("description", {"en": "Only English"}), "description: needs both zh-Hans and en"),
    (_set("version", "1.0"), "version: '1.0' is not a semantic version"),
    (_set("version", "v1.2.3"), "version: 'v1.2.3' is not a semantic version"),
    (_set("core", "one or two"), "core: 'one or two' is not a version range"),
    (_set("capabilities", ["notify:send", "residents:write"]), "capabilities: unknown capability 'residents:write'"),
    (_set("settings", 1, "default", "10"), "settings[2].default: must be of type integer"),
    (_set("settings", 3, "default", "yes"), "settings[4].default: must be of type boolean"),
    (_set("settings", 1, "default", 99), "settings[2].default: outside min and max"),
    (_set("settings", 1, "default", 0), "settings[2].default: outside min and max"),
    (_set("settings", 2, "default", "daily"), "settings[3].default: must be one of the choices"),
    (_set("settings", 0, "type", "colour"), "settings[1].type: one of"),
    (_set("roles", 0, "name", "clerk"), "roles[1].name: starts with the plugin's name and a dot"),
    (_set("roles", 0, "name", "other.clerk"), "roles[1].name: starts with the plugin's name and a dot"),
    (_set("roles", 0, "scope", "compound"), "roles[1].scope:"),
    (_set("categories", 0, "key", "repair"), "categories[1].key: starts with the plugin's name and _"),
    (_set("categories", 0, "resolve_hours", 6), "categories[1].resolve_hours: not before accept_hours"),
    (_own_party_type("office"), "party_types[1].name: starts with the plugin's name and _"),
    (_set("categories", 0, "party", "compound"), "categories[1].party: one of grid, community"),
    (_set("province_tables", ["sample_points"]), "province_tables: need the capability platform:operations"),
    (_set("icon", "missing.svg"), "icon: missing.svg is not a file in the package"),
    (_set("category", "games"), "category: 'games' is not one of services, participation"),
]


@pytest.mark.parametrize("change, problem", PROBLEMS, ids=[p for _c, p in PROBLEMS])
def test_each_problem_is_reported_naming_its_field(change, problem):
    data = _sample_data()
    change(data)
    manifest, problems = manifests.parse(data, SAMPLE)
    assert manifest is None
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_the_sample_manifest_has_no_problem_and_every_problem_is_reported_at_once():
    manifest, problems = manifests.parse(_sample_data(), SAMPLE)
    assert manifest is not None and problems == []
    data = _sample_data()
    data["version"], data["capabilities"] = "1.0", ["teleport"]
    data["categories"][0]["resolve_hours"] = 1
    _manifest, problems = manifests.parse(data, SAMPLE)
    assert [p.split(":")[0] for p in problems] == ["version", "capabilities", "categories[1].resolve_hours"]


def test_the_category_is_optional():
    data = _sample_data()
    del data["category"]
    manifest, problems = manifests.parse(data, SAMPLE)
    assert problems == [] and manifest.category == ""


def test_province_tables_with_platform_operations_are_accepted():
    data = _sample_data()
    data["capabilities"] = ["platform:operations"]
    data["province_tables"], data["platform_operations"] = ["sample_points"], ["add_points"]
    manifest, problems = manifests.parse(data, SAMPLE)
    assert problems == []
    assert (manifest.province_tables, manifest.platform_operations) == (("sample_points",), ("add_points",))


def test_the_icon_is_looked_for_in_the_package(tmp_path):
    data = _sample_data()
    assert manifests.parse(copy.deepcopy(data), SAMPLE)[1] == []
    assert manifests.parse(copy.deepcopy(data), tmp_path)[1] == ["icon: icon.svg is not a file in the package"]


def test_a_folder_without_a_manifest_is_refused_naming_it(tmp_path):
    with pytest.raises(ManifestError) as raised:
        manifests.load(tmp_path)
    assert raised.value.problems == ["there is no manifest.toml"]
    assert str(tmp_path / "manifest.toml") in str(raised.value)


def test_a_manifest_that_is_not_toml_is_refused_naming_the_problem(tmp_path):
    (tmp_path / "manifest.toml").write_text('name = "sample"\nversion = 1.2.0\n', encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        manifests.load(tmp_path)
    (problem,) = raised.value.problems
    assert problem.startswith("not valid TOML") and "line 2" in problem


def test_load_lists_every_problem_of_a_wrong_manifest(tmp_path):
    (tmp_path / "manifest.toml").write_text('name = "Sample"\nversion = "1.0"\n', encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        manifests.load(tmp_path)
    fields = [p.split(":")[0] for p in raised.value.problems]
    assert fields[:3] == ["name", "version", "core"] and "title" in fields and "licence" in fields


def test_supports_core_reads_the_declared_range():
    manifest = manifests.load(SAMPLE)
    assert manifest.supports_core() and CORE_API_VERSION == "1.0"
    assert manifest.supports_core("1.9") and not manifest.supports_core("2.0") and not manifest.supports_core("0.9")
    data = _sample_data()
    data["core"] = ">=2"
    future, problems = manifests.parse(data, SAMPLE)
    assert problems == [] and not future.supports_core()


def test_a_category_may_go_first_to_one_of_cores_party_types():
    data = _sample_data()
    data["categories"][0]["party"] = "community"
    manifest, problems = manifests.parse(data, SAMPLE)
    assert problems == [] and manifest.categories[0].party == "community"
