"""The plugin's hook implementations. The entry point ``gongzhi.plugins: red_property`` (in
Gongzhi's own pyproject.toml) names this module; ``manifest.toml`` declares the rest."""

from __future__ import annotations

from pathlib import Path

from core.sdk import Message, NavEntry, Tile, hookimpl

from plugins.red_property import meetings, repairs
from plugins.red_property.jobs import bill_the_month, rate_the_firms, tell_the_firm
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
def event_handlers() -> list:
    return [tell_the_firm]


@hookimpl
def jobs() -> list:
    return [bill_the_month, rate_the_firms]


@hookimpl
async def feedback_party(scope, category: str, submission, person_id: int):
    """A repair or complaint goes to the firm serving the owner's compound; a joint meeting's
    action item to the firm, when the meeting gave it to the firm."""
    if category == meetings.ACTION:
        return meetings.route_action()
    return await repairs.route(scope, person_id, submission.community_id, submission.address)


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    entries = [NavEntry(Message("My home and owners' votes"), f"/t/{visit.slug}/p/red_property/"),
               NavEntry(Message("Property firms' ratings"), f"/t/{visit.slug}/p/red_property/ratings/")]
    if repairs.FIRM_STAFF in visit.roles:
        entries.append(NavEntry(Message("Repairs for our firm"), f"/t/{visit.slug}/p/red_property/firm/"))
    if visit.roles & MANAGERS:
        entries.append(NavEntry(Message("Compounds and property firms"), f"/t/{visit.slug}/p/red_property/console/"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Owners' votes"), f"/t/{visit.slug}/p/red_property/",
                 text=Message("Your home, and the votes of your compound's owners"))]
