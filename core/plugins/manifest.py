"""A plugin's manifest: what it declares, read from ``manifest.toml`` in its package.

The manifest is data, not code, so that it can be checked without running the plugin (the
marketplace's ``gongzhi plugin check`` reads it the same way). :func:`parse` returns the
manifest and every problem found, each naming its field.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core.feedback import registry as feedback_registry
from core.i18n import N_, current_language

# The version of the API plugins are written against (core.sdk and core.hookspecs). A plugin
# names the range it supports; it is loaded only when this version is in it.
CORE_API_VERSION = "1.0"

NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
LANGUAGE_KEYS = ("zh-Hans", "en")

# What a plugin may ask of core through the SDK; each SDK call that needs one checks it.
CAPABILITIES: dict[str, str] = {
    "residents:read": N_("Read the names and contact details of the district's people"),
    "notify:send": N_("Send notifications to people"),
    "feedback:read": N_("Read feedback items"),
    "feedback:write": N_("Submit feedback items for residents"),
    "notices:read": N_("Read published notices"),
    "storage:use": N_("Store and read files"),
    "encryption:use": N_("Encrypt and read protected data, every read audited"),
    "audit:write": N_("Write to the district's audit log"),
    "platform:operations": N_("Run named operations across districts on province-wide tables"),
    "appointments:use": N_("Offer appointment slots that people book, and remind them the day before"),
}

# Where the marketplace lists a plugin (the optional ``category``; none: under "Other").
CATEGORIES: dict[str, str] = {
    "services": N_("Community services"),
    "participation": N_("Participation"),
    "property": N_("Property and housing"),
    "health": N_("Health and care"),
    "legal": N_("Legal help"),
    "volunteering": N_("Volunteering"),
    "safety": N_("Safety"),
    "tools": N_("Tools and integrations"),
}
OTHER_CATEGORY = N_("Other")

SETTING_TYPES = ("string", "text", "integer", "boolean", "choice")
UNIT_SCOPES = ("", "street", "community", "grid", "department")


@dataclass(frozen=True)
class Text:
    """A text given in both languages."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if current_language() == "en" else self.zh


@dataclass(frozen=True)
class Setting:
    key: str
    type: str
    default: Any
    label: Text
    help: Text
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Role:
    name: str
    label: Text
    # "" district-wide, an organisation unit kind, or a responsible-party type of the plugin.
    scope: str = ""


@dataclass(frozen=True)
class PartyTypeDecl:
    name: str
    label: Text
    escalates_to: str | None = None


@dataclass(frozen=True)
class CategoryDecl:
    key: str
    name: Text
    accept_hours: int
    resolve_hours: int
    party: str
    private: bool = False


@dataclass(frozen=True)
class SensitiveDataDecl:
    """A kind of sensitive data the plugin seals, and how long a district keeps it unless it
    says otherwise (0: until the person is erased)."""

    key: str
    label: Text
    retention_days: int


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    title: Text
    description: Text
    author: str
    contact: str
    licence: str
    homepage: str
    core: str
    capabilities: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    roles: tuple[Role, ...] = ()
    party_types: tuple[PartyTypeDecl, ...] = ()
    categories: tuple[CategoryDecl, ...] = ()
    province_tables: tuple[str, ...] = ()
    platform_operations: tuple[str, ...] = ()
    sensitive_data: tuple[SensitiveDataDecl, ...] = ()
    icon: str = ""
    # One of CATEGORIES, or "" (listed under "Other").
    category: str = ""
    folder: Path | None = field(default=None, compare=False)

    def supports_core(self, version: str = CORE_API_VERSION) -> bool:
        return Version(version) in SpecifierSet(self.core)

    def setting(self, key: str) -> Setting | None:
        return next((s for s in self.settings if s.key == key), None)


class ManifestError(Exception):
    """A manifest that cannot be used; ``problems`` names each field that is wrong."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def load(folder: Path) -> Manifest:
    """The manifest in ``folder/manifest.toml``; raises :class:`ManifestError` listing every problem."""
    path = folder / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(str(path), ["there is no manifest.toml"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(str(path), [f"not valid TOML: {error}"]) from None
    manifest, problems = parse(data, folder)
    if problems:
        raise ManifestError(str(path), problems)
    return manifest


class _Reader:
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def text(self, data: dict, key: str, where: str, *, required: bool = True, limit: int = 500) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.problems.append(f"{where}{key}: must be a string")
            return ""
        if required and not value.strip():
            self.problems.append(f"{where}{key}: is required")
        if len(value) > limit:
            self.problems.append(f"{where}{key}: at most {limit} characters")
        return value.strip()

    def both(self, data: dict, key: str, where: str) -> Text:
        value = data.get(key)
        if not isinstance(value, dict) or any(not isinstance(value.get(k), str) or not value.get(k).strip()
                                               for k in LANGUAGE_KEYS):
            self.problems.append(f"{where}{key}: needs both zh-Hans and en")
            return Text("", "")
        return Text(value["zh-Hans"].strip(), value["en"].strip())

    def integer(self, data: dict, key: str, where: str, *, low: int = 1) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            self.problems.append(f"{where}{key}: must be a whole number of at least {low}")
            return low
        return value

    def names(self, data: dict, key: str, where: str = "") -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(f"{where}{key}: must be a list of strings")
            return ()
        return tuple(value)

    def tables(self, data: dict, key: str) -> list[dict]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(f"{key}: must be a list of tables ([[{key}]])")
            return []
        return value


def _setting(read: _Reader, entry: dict, where: str) -> Setting | None:
    key = read.text(entry, "key", where)
    kind = entry.get("type")
    if kind not in SETTING_TYPES:
        read.problems.append(f"{where}type: one of {', '.join(SETTING_TYPES)}")
        return None
    label, help_text = read.both(entry, "label", where), Text("", "")
    if "help" in entry:
        help_text = read.both(entry, "help", where)
    choices = read.names(entry, "choices", where) if kind == "choice" else ()
    if kind == "choice" and not choices:
        read.problems.append(f"{where}choices: a choice setting lists its choices")
    low, high = entry.get("min"), entry.get("max")
    for bound, value in (("min", low), ("max", high)):
        if value is not None and (kind != "integer" or not isinstance(value, int) or isinstance(value, bool)):
            read.problems.append(f"{where}{bound}: only an integer setting has a whole-number {bound}")
    default = entry.get("default")
    expected = {"string": str, "text": str, "integer": int, "boolean": bool, "choice": str}[kind]
    if default is None or not isinstance(default, expected) or (kind == "integer" and isinstance(default, bool)):
        read.problems.append(f"{where}default: must be of type {kind}")
    elif kind == "choice" and default not in choices:
        read.problems.append(f"{where}default: must be one of the choices")
    elif kind == "integer" and ((low is not None and default < low) or (high is not None and default > high)):
        read.problems.append(f"{where}default: outside min and max")
    max_length = entry.get("max_length", 2000 if kind == "text" else 200)
    return Setting(key, kind, default, label, help_text, low, high, max_length, choices, bool(entry.get("required")))


def parse(data: dict[str, Any], folder: Path | None = None) -> tuple[Manifest | None, list[str]]:
    """The manifest in ``data`` and every problem found (an empty list when it is right)."""
    problems: list[str] = []
    read = _Reader(problems)
    name = read.text(data, "name", "")
    if name and not NAME.match(name):
        problems.append("name: lower-case letters, digits and _; starts with a letter; 2–40 characters")
    version = read.text(data, "version", "")
    if version and not SEMVER.match(version):
        problems.append(f"version: {version!r} is not a semantic version (e.g. 1.2.0)")
    core = read.text(data, "core", "")
    if core:
        try:
            SpecifierSet(core)
        except InvalidSpecifier:
            problems.append(f"core: {core!r} is not a version range (e.g. \">=1.0,<2\")")
    title, description = read.both(data, "title", ""), read.both(data, "description", "")
    author_data = data.get("author") if isinstance(data.get("author"), dict) else {}
    if not author_data:
        problems.append("author: a table with name and contact")
    author, contact = read.text(author_data, "name", "author."), read.text(author_data, "contact", "author.")
    capabilities = read.names(data, "capabilities")
    for capability in capabilities:
        if capability not in CAPABILITIES:
            problems.append(f"capabilities: unknown capability {capability!r}")
    settings = []
    for number, entry in enumerate(read.tables(data, "settings"), start=1):
        setting = _setting(read, entry, f"settings[{number}].")
        if setting:
            settings.append(setting)
    if len({s.key for s in settings}) != len(settings):
        problems.append("settings: each key once")
    party_types = []
    for number, entry in enumerate(read.tables(data, "party_types"), start=1):
        where = f"party_types[{number}]."
        type_name = read.text(entry, "name", where)
        if type_name and name and not type_name.startswith(f"{name}_"):
            problems.append(f"{where}name: starts with the plugin's name and _ ({name}_…)")
        party_types.append(PartyTypeDecl(type_name, read.both(entry, "label", where), entry.get("escalates_to")))
    roles = []
    own_types = {p.name for p in party_types}
    for number, entry in enumerate(read.tables(data, "roles"), start=1):
        where = f"roles[{number}]."
        role_name = read.text(entry, "name", where)
        if role_name and name and not role_name.startswith(f"{name}."):
            problems.append(f"{where}name: starts with the plugin's name and a dot ({name}.…)")
        scope = entry.get("scope", "")
        if scope not in UNIT_SCOPES and scope not in own_types:
            problems.append(f"{where}scope: an organisation unit kind or one of the plugin's party types")
        roles.append(Role(role_name, read.both(entry, "label", where), scope))
    categories = []
    # A category goes first to one of core's responsible-party types or to one of the plugin's own.
    core_types = tuple(n for n, t in feedback_registry.PARTY_TYPES.items() if t.plugin is None)
    for number, entry in enumerate(read.tables(data, "categories"), start=1):
        where = f"categories[{number}]."
        key = read.text(entry, "key", where)
        if key and name and not key.startswith(f"{name}_"):
            problems.append(f"{where}key: starts with the plugin's name and _ ({name}_…)")
        accept, resolve = read.integer(entry, "accept_hours", where), read.integer(entry, "resolve_hours", where)
        if resolve < accept:
            problems.append(f"{where}resolve_hours: not before accept_hours")
        party = read.text(entry, "party", where)
        if party and party not in own_types and party not in core_types:
            problems.append(f"{where}party: one of {', '.join(core_types)} or one of the plugin's party types")
        categories.append(CategoryDecl(key, read.both(entry, "name", where), accept, resolve, party,
                                       bool(entry.get("private", False))))
    sensitive_data = []
    for number, entry in enumerate(read.tables(data, "sensitive_data"), start=1):
        where = f"sensitive_data[{number}]."
        key = read.text(entry, "key", where)
        if key and name and not key.startswith(f"{name}_"):
            problems.append(f"{where}key: starts with the plugin's name and _ ({name}_…)")
        days = read.integer(entry, "retention_days", where, low=0)
        if days > 36_500:
            problems.append(f"{where}retention_days: at most 36500")
        sensitive_data.append(SensitiveDataDecl(key, read.both(entry, "label", where), days))
    if len({d.key for d in sensitive_data}) != len(sensitive_data):
        problems.append("sensitive_data: each key once")
    if sensitive_data and "encryption:use" not in capabilities:
        problems.append("sensitive_data: needs the capability encryption:use")
    province_tables = read.names(data, "province_tables")
    platform_operations = read.names(data, "platform_operations")
    if province_tables and "platform:operations" not in capabilities:
        problems.append("province_tables: need the capability platform:operations")
    icon = read.text(data, "icon", "", required=False)
    category = read.text(data, "category", "", required=False)
    if category and category not in CATEGORIES:
        problems.append(f"category: {category!r} is not one of {', '.join(CATEGORIES)}")
    licence, homepage = read.text(data, "licence", ""), read.text(data, "homepage", "", required=False)
    if icon and folder is not None and not (folder / icon).is_file():
        problems.append(f"icon: {icon} is not a file in the package")
    if problems:
        return None, problems
    return Manifest(
        name=name, version=version, title=title, description=description, author=author, contact=contact,
        licence=licence, homepage=homepage,
        core=core, capabilities=capabilities, settings=tuple(settings), roles=tuple(roles),
        party_types=tuple(party_types), categories=tuple(categories), province_tables=province_tables,
        platform_operations=platform_operations, sensitive_data=tuple(sensitive_data), icon=icon, category=category,
        folder=folder,
    ), problems
