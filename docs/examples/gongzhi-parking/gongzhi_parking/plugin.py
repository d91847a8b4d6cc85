"""The plugin's hook implementations: what it adds to Gongzhi. The entry point
``gongzhi.plugins: parking`` names this module; ``manifest.toml`` beside it declares the rest.

The hooks that run in a district (navigation, tiles, widgets) are called only where the
plugin is enabled; the plugin never checks that itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.sdk import Message, NavEntry, Tile, Widget, hookimpl

from gongzhi_parking import services
from gongzhi_parking.api_routes import ParkingApi
from gongzhi_parking.handle import plugin
from gongzhi_parking.jobs import allocate
from gongzhi_parking.routes import ConsolePages, ResidentPages
from gongzhi_parking.tables import Application, Space

HERE = Path(__file__).resolve().parent
CONSOLE = {"district_admin", "staff", "parking.manager"}
DEMO_SPACES = 4  # per community


# What the plugin brings (called once, when it is loaded) ----------------------------------


@hookimpl
def page_routes() -> list:
    return [ResidentPages, ConsolePages]


@hookimpl
def api_routes() -> list:
    return [ParkingApi]


@hookimpl
def piccolo_apps() -> list[str]:
    return ["gongzhi_parking.piccolo_app"]


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
    return [allocate]


# In a district that enabled it --------------------------------------------------------------


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    entries = [NavEntry(Message("Parking"), f"/t/{visit.slug}/p/parking/")]
    if visit.roles & CONSOLE:
        entries.append(NavEntry(Message("Parking console"), f"/t/{visit.slug}/p/parking/console/"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Community parking"), f"/t/{visit.slug}/p/parking/",
                 text=Message("Apply for a parking space in your community"), icon="/static/p/parking/icon.svg")]


@hookimpl
async def console_widgets(visit) -> list[Widget]:
    return [Widget(Message("Community parking"), template="parking/widget.html",
                   context={"counts": await services.counts(visit.scope), "base": f"/t/{visit.slug}/p/parking"})]


# A person's data, and a district's ----------------------------------------------------------


@hookimpl
async def export_personal_data(person_id: int) -> dict[str, Any] | None:
    rows = await plugin.personal_rows(Application.person_id, person_id, Application.id, Application.tenant_id,
                                      Application.community_id, Application.plate, Application.state,
                                      Application.created_at, Application.changed_at)
    return {"parking_applications": services.plain(rows)} if rows else None


@hookimpl
async def erase_personal_data(person_id: int, pseudonym: str) -> None:
    # The applications stay, for the districts' records, under the pseudonym; withdrawn, so
    # any space they held is free for the next allocation.
    await plugin.erase_personal(Application.person_id, person_id, {
        Application.plate: pseudonym, Application.state: services.WITHDRAWN})


@hookimpl
async def export_tenant(scope) -> dict[str, Any]:
    return await services.district_export(scope)


@hookimpl
async def demo_data(scope, slug: str) -> None:
    """A few spaces in each community (once: a second run adds none)."""
    for community in await plugin.communities(scope):
        if await scope.exists(Space).where(Space.community_id == community["id"]):
            continue
        for number in range(1, DEMO_SPACES + 1):
            await services.add_space(scope, {"community": str(community["id"]), "label": f"A-{number:03d}"}, None)
