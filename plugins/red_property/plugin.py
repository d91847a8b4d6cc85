"""The plugin's hook implementations. The entry point ``gongzhi.plugins: red_property`` (in
Gongzhi's own pyproject.toml) names this module; ``manifest.toml`` declares the rest."""

from __future__ import annotations

from pathlib import Path

from core.sdk import Message, NavEntry, Tile, hookimpl

from plugins.red_property.routes import MANAGERS, PAGES

HERE = Path(__file__).resolve().parent


@hookimpl
def page_routes() -> list:
    return list(PAGES)


@hookimpl
def piccolo_apps() -> list[str]:
    return ["plugins.red_property.piccolo_app"]


@hookimpl
def template_folder() -> Path:
    return HERE / "templates"


@hookimpl
def locale_folder() -> Path:
    return HERE / "locales"


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    entries = [NavEntry(Message("My home and owners' votes"), f"/t/{visit.slug}/p/red_property/")]
    if visit.roles & MANAGERS:
        entries.append(NavEntry(Message("Compounds and property firms"), f"/t/{visit.slug}/p/red_property/console/"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Owners' votes"), f"/t/{visit.slug}/p/red_property/",
                 text=Message("Your home, and the votes of your compound's owners"))]
