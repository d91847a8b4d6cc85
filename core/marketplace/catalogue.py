"""The public catalogue of the marketplace (/marketplace): every plugin with an approved
release, shown at its newest approved version, and one plugin's page with all its approved
versions. Pending and rejected releases never appear.

Titles, descriptions and labels come from each release's manifest (kept as JSON at upload)
in the reader's language; capabilities are given with core's plain-language text (a msgid of
``CAPABILITIES``, translated where it is shown). How many districts use a plugin is read
across districts by the named platform operation ``plugin_district_counts``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from core import platform_scope
from core.errors import NotFound
from core.i18n import current_language
from core.marketplace.tables import MarketplacePlugin, MarketplaceRelease, ReleaseStatus
from core.plugins.manifest import CAPABILITIES, CATEGORIES, CORE_API_VERSION

# The category filter's value for plugins that name no category.
OTHER = "other"
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True)
class Listing:
    """A plugin as the catalogue lists it: its newest approved version."""

    name: str
    version: str
    title: str
    description: str
    category: str  # a key of CATEGORIES, or "" (Other)
    capabilities: tuple[tuple[str, str], ...]  # (capability, its plain-language msgid)
    core: str
    compatible: bool
    districts: int
    approved_at: datetime | None


@dataclass(frozen=True)
class ReleaseEntry:
    version: str
    changelog: str
    approved_at: datetime | None
    core: str
    compatible: bool


@dataclass(frozen=True)
class Declared:
    label: str
    help: str = ""


@dataclass(frozen=True)
class PluginPage:
    """One plugin's page: the listing, every approved version (newest first) and what the
    newest declares."""

    listing: Listing
    versions: tuple[ReleaseEntry, ...]
    settings: tuple[Declared, ...]
    roles: tuple[Declared, ...]
    homepage: str
    author: str
    licence: str


def in_language(value: Any) -> str:
    """A manifest's text in the reader's language (the other one when it lacks it)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    first, second = ("en", "zh-Hans") if current_language() == "en" else ("zh-Hans", "en")
    return str(value.get(first) or value.get(second) or "")


def version_key(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion:
        return Version("0")


def supports_core(core: str) -> bool:
    try:
        return Version(CORE_API_VERSION) in SpecifierSet(core)
    except InvalidSpecifier:
        return False


def _manifest(row: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(row["manifest"])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _approved(plugin_ids: list[int] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Each plugin's approved releases, newest version first."""
    query = MarketplaceRelease.select(
        MarketplaceRelease.plugin_id, MarketplaceRelease.version, MarketplaceRelease.manifest,
        MarketplaceRelease.changelog, MarketplaceRelease.reviewed_at,
    ).where(MarketplaceRelease.status == ReleaseStatus.approved.value)
    if plugin_ids is not None:
        query = query.where(MarketplaceRelease.plugin_id.is_in(plugin_ids))
    releases: dict[int, list[dict[str, Any]]] = {}
    for row in await query:
        releases.setdefault(row["plugin_id"], []).append(row)
    for rows in releases.values():
        rows.sort(key=lambda row: version_key(row["version"]), reverse=True)
    return releases


def _listing(name: str, newest: dict[str, Any], districts: int) -> Listing:
    manifest = _manifest(newest)
    category = manifest.get("category", "")
    core = str(manifest.get("core", ""))
    capabilities = tuple((str(c), CAPABILITIES.get(str(c), str(c))) for c in manifest.get("capabilities", []) or [])
    return Listing(
        name=name, version=newest["version"], title=in_language(manifest.get("title")) or name,
        description=in_language(manifest.get("description")),
        category=category if category in CATEGORIES else "", capabilities=capabilities, core=core,
        compatible=supports_core(core), districts=districts, approved_at=newest["reviewed_at"])


def clean_category(value: str | None) -> str:
    """The category filter as asked for: a key of CATEGORIES, OTHER, or "" (every category)."""
    value = (value or "").strip()
    return value if value in CATEGORIES or value == OTHER else ""


def _matches(listing: Listing, manifest: dict[str, Any], words: list[str]) -> bool:
    texts = [listing.name]
    for key in ("title", "description"):
        value = manifest.get(key)
        if isinstance(value, dict):
            texts.extend(str(text) for text in value.values())
        else:
            texts.append(str(value or ""))
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in words)


async def listings(q: str = "", category: str = "") -> list[Listing]:
    """The approved plugins, most used first; ``q`` keeps those whose name, title or
    description (in either language) contains each of its words, whatever the case;
    ``category`` keeps one category (OTHER: those that name none)."""
    words = q[:QUERY_MAX_LENGTH].casefold().split()
    category = clean_category(category)
    names = {row["id"]: row["name"] for row in await MarketplacePlugin.select(
        MarketplacePlugin.id, MarketplacePlugin.name)}
    releases = await _approved()
    counts = await platform_scope.plugin_district_counts() if releases else {}
    found = []
    for plugin_id, rows in releases.items():
        name = names.get(plugin_id)
        if name is None:
            continue
        listing = _listing(name, rows[0], counts.get(name, 0))
        if category and (listing.category or OTHER) != category:
            continue
        if words and not _matches(listing, _manifest(rows[0]), words):
            continue
        found.append(listing)
    return sorted(found, key=lambda listing: (-listing.districts, listing.name))


async def plugin_page(name: str) -> PluginPage:
    """The plugin's page; NotFound when no such plugin has an approved version."""
    plugin = await MarketplacePlugin.select(MarketplacePlugin.id).where(MarketplacePlugin.name == name).first()
    rows = (await _approved([plugin["id"]])).get(plugin["id"]) if plugin else None
    if not rows:
        raise NotFound()
    counts = await platform_scope.plugin_district_counts()
    newest = _manifest(rows[0])
    versions = []
    for row in rows:
        core = str(_manifest(row).get("core", ""))
        versions.append(ReleaseEntry(version=row["version"], changelog=row["changelog"], approved_at=row["reviewed_at"],
                                     core=core, compatible=supports_core(core)))
    settings = tuple(Declared(in_language(s.get("label")) or str(s.get("key", "")), in_language(s.get("help")))
                     for s in newest.get("settings", []) or [] if isinstance(s, dict))
    roles = tuple(Declared(in_language(r.get("label")) or str(r.get("name", "")))
                  for r in newest.get("roles", []) or [] if isinstance(r, dict))
    homepage = str(newest.get("homepage", ""))
    author = newest.get("author") if isinstance(newest.get("author"), dict) else {}
    return PluginPage(
        listing=_listing(name, rows[0], counts.get(name, 0)), versions=tuple(versions), settings=settings,
        roles=roles, homepage=homepage if homepage.startswith(("https://", "http://")) else "",
        author=str(author.get("name", "")),
        licence=str(newest.get("licence", "")))
