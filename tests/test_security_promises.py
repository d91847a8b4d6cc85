"""SECURITY.md names the test behind each promise: each test file it names exists, and each
test it names by ``file::name`` is defined in that file, so a promise cannot outlive its proof."""

from __future__ import annotations

import ast
import re

from core.config import PROJECT_ROOT

_NAMED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
# A file followed by the names of some of its tests: `tests/x.py` (`test_a`, `test_b`).
_LISTED = re.compile(r"`(tests/[\w/]+\.py)`\s*\(([^)]*)\)")


def _named() -> list[tuple[str, str | None]]:
    """Every (test file, test name or None) SECURITY.md names."""
    text = (PROJECT_ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = [(match.group(1), match.group(2)) for match in _NAMED.finditer(text)]
    for match in _LISTED.finditer(text):
        named += [(match.group(1), name) for name in re.findall(r"`(test_\w+)`", match.group(2))]
    return named


def _tests_in(path: str) -> set[str]:
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def test_every_promise_names_tests_that_exist():
    named = _named()
    assert len(named) > 20
    missing = [path for path, _ in named if not (PROJECT_ROOT / path).is_file()]
    assert not missing, f"SECURITY.md names test files that do not exist: {missing}"
    unknown = [f"{path}::{name}" for path, name in named if name and name not in _tests_in(path)]
    assert not unknown, f"SECURITY.md names tests that do not exist: {unknown}"


def test_each_named_file_holds_tests():
    empty = [path for path, _ in set(_named()) if not _tests_in(path)]
    assert not empty
