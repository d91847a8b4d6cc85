"""``gongzhi plugin new``: a new plugin package that works from the start.

The files come from ``scaffold_template/``, plain text with ``string.Template`` placeholders
(``$name``, ``$package``…), so that they are read as what they will become and no tool
mistakes them for the platform's own code. In their paths, ``package`` is the plugin's
Python package, ``NAME`` the plugin's name, and ``.tmpl`` is dropped.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from core.plugins.manifest import NAME

TEMPLATE = Path(__file__).resolve().parent / "scaffold_template"
# Files whose real name would hide them from package data (a leading dot).
RENAMED = {"gitignore": ".gitignore"}


class ScaffoldError(ValueError):
    """A plugin that cannot be made where, or under the name, it was asked for."""


def folder_name(name: str) -> str:
    """The package's folder (and distribution) name: ``gongzhi-`` and the name, ``_`` as ``-``."""
    return "gongzhi-" + name.replace("_", "-")


def placeholders(name: str) -> dict[str, str]:
    return {
        "name": name,
        "package": f"gongzhi_{name}",
        "distribution": folder_name(name),
        "title": name.replace("_", " ").capitalize(),
    }


def _target(relative: Path, values: dict[str, str]) -> Path:
    parts = [values["package"] if part == "package" else part for part in relative.parts]
    last = parts[-1].removesuffix(".tmpl").replace("NAME", values["name"])
    parts[-1] = RENAMED.get(last, last)
    return Path(*parts)


def create(name: str, parent: Path) -> Path:
    """Write the plugin ``name`` into ``parent/gongzhi-<name>`` and return that folder; refuses
    an invalid name and a folder that exists with anything in it."""
    if not NAME.match(name):
        raise ScaffoldError(f"{name!r} is not a plugin name: lower-case letters, digits and _, starting with a "
                            "letter, 2 to 40 characters (e.g. bike_repair)")
    folder = parent / folder_name(name)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} already exists and is not empty: choose another name or --dir")
    values = placeholders(name)
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        target = folder / _target(source.relative_to(TEMPLATE), values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    return folder
