"""Plugins reach core only through ``core.sdk``: a scan of every plugin's source (first-party
in plugins/, the example in docs/examples/, and the test plugins) for imports of anything
else of core or of tenants."""

from __future__ import annotations

import ast
from pathlib import Path

from core.plugins.checks import forbidden_imports

ROOT = Path(__file__).resolve().parents[3]
PLUGIN_SOURCES = [ROOT / "plugins", ROOT / "docs" / "examples", ROOT / "tests" / "core" / "plugins"]


def _offences(path: Path) -> list[str]:
    # The rule is the one ``gongzhi plugin check`` applies to a package.
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [f"{path.relative_to(ROOT)}:{line} imports {name}" for line, name in forbidden_imports(tree)]


def _plugin_files() -> list[Path]:
    files = []
    for base in PLUGIN_SOURCES:
        for path in base.rglob("*.py"):
            # The host's own tests (not plugins) import core to drive it; a plugin's own tests
            # and code do not. A test plugin is a folder with a manifest.toml.
            package = next((p for p in path.parents if (p / "manifest.toml").exists()), None)
            in_example = base in (ROOT / "docs" / "examples", ROOT / "plugins")
            if package is None and not in_example:
                continue
            if "tests" in path.relative_to(base).parts[1:] and in_example:
                continue  # an example's tests use the shipped fixtures, not core's internals either
            files.append(path)
    return files


def test_plugins_import_nothing_of_core_but_the_sdk():
    files = _plugin_files()
    assert any("examples" in str(f) for f in files), "the example plugin is scanned"
    offences = [offence for path in files for offence in _offences(path)]
    assert not offences, "plugins import only core.sdk: " + "; ".join(offences)


def test_the_scan_catches_an_import_of_core_internals(tmp_path):
    plugin = tmp_path / "bad.py"
    plugin.write_text("from core.feedback import services\nimport core.db\nfrom core import sdk, tenancy\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _offences(plugin) == ["bad.py:1 imports core.feedback", "bad.py:2 imports core.db",
                                     "bad.py:3 imports core.tenancy"]
    finally:
        ROOT = saved
