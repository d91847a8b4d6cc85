"""docs/plugins.md documents every hook with its exact signature, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from core import hookspecs

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plugins.md"


def _hookspecs() -> dict[str, str]:
    return {name: f"{name}({', '.join(arguments)})" for name, arguments in hookspecs.arguments().items()}


def test_every_hook_is_documented_with_its_signature():
    headings = dict(re.findall(r"^### `((\w+)\([^)]*\))`", DOCS.read_text(encoding="utf-8"), re.M))
    documented = {name: signature for signature, name in headings.items()}
    specs = _hookspecs()
    assert len(specs) >= 17
    for name, signature in specs.items():
        assert name in documented, f"docs/plugins.md has no heading for the hook {signature}"
        assert documented[name] == signature, f"docs/plugins.md documents {documented[name]}, the hook is {signature}"
    assert not set(documented) - set(specs), f"documented hooks that do not exist: {set(documented) - set(specs)}"


def test_every_hookspec_says_what_it_returns_and_where_it_runs():
    for name, function in vars(hookspecs).items():
        if callable(function) and getattr(function, f"{hookspecs.PROJECT}_spec", None) is not None:
            doc = function.__doc__ or ""
            assert "Called" in doc, f"{name}: say when it is called"
            assert "Global" in doc or "Tenant-scoped" in doc, f"{name}: say whether it is global or tenant-scoped"
