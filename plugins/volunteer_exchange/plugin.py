"""The plugin's hook implementations. The entry point ``gongzhi.plugins: volunteer_exchange``
(in Gongzhi's own pyproject.toml) names this module; ``manifest.toml`` declares the rest."""

from __future__ import annotations

from pathlib import Path

from core.sdk import Message, NavEntry, Tile, hookimpl

from plugins.volunteer_exchange.activities import ORGANISERS
from plugins.volunteer_exchange.jobs import check_the_books
from plugins.volunteer_exchange.rewards import MERCHANT
from plugins.volunteer_exchange.routes import PAGES

HERE = Path(__file__).resolve().parent


@hookimpl
def page_routes() -> list:
    return list(PAGES)


@hookimpl
def piccolo_apps() -> list[str]:
    return ["plugins.volunteer_exchange.piccolo_app"]


@hookimpl
def template_folder() -> Path:
    return HERE / "templates"


@hookimpl
def static_folder() -> Path:
    return HERE / "static"


@hookimpl
def locale_folder() -> Path:
    return HERE / "locales"


@hookimpl
def jobs() -> list:
    return [check_the_books]


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    base = f"/t/{visit.slug}/p/volunteer_exchange"
    entries = [NavEntry(Message("Volunteer points"), f"{base}/")]
    if visit.roles & ORGANISERS:
        entries.append(NavEntry(Message("My activities"), f"{base}/manage/"))
    if visit.roles & {MERCHANT, "district_admin"}:
        entries.append(NavEntry(Message("Check a reward code"), f"{base}/merchant/"))
    if "district_admin" in visit.roles:
        entries.append(NavEntry(Message("Rewards and the exchange"), f"{base}/console/"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Volunteer points"), f"/t/{visit.slug}/p/volunteer_exchange/",
                 text=Message("Volunteer, earn points, and spend them anywhere in the province"))]
