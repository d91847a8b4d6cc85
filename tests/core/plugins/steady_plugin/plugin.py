"""The plugin that behaves: a page, a navigation entry, a home tile, a console widget drawn
from its own template, a handler of a core event and a per-district scheduled job. The
handler and the job note in RAN that they ran, and for which district, so that the tests
see what the host did and did not call next to the broken plugin."""

from pathlib import Path

from litestar import Request, get

from core.sdk import NavEntry, Plugin, Tile, Widget, hookimpl

plugin = Plugin("steady")

# (what ran, district id), in the order they ran; the tests empty it.
RAN: list[tuple[str, int]] = []


@get("/", opt={"auth": "none"})
async def index(request: Request) -> str:
    return f"steady in {plugin.tenant(request).slug}"


@plugin.handles("feedback_submitted")
async def count_feedback(event) -> None:
    RAN.append(("handler", event.tenant_id))


@plugin.cron("tally", timeout=5, hour=2, minute=0)
async def tally(ctx, tenant_id: int) -> None:
    RAN.append(("job", tenant_id))


@hookimpl
def page_routes():
    return [index]


@hookimpl
def template_folder():
    return Path(__file__).resolve().parent / "templates"


@hookimpl
def jobs():
    return [tally]


@hookimpl
def event_handlers():
    return [count_feedback]


@hookimpl
def navigation(visit):
    return [NavEntry("SteadyNav", f"/t/{visit.slug}/p/steady/")]


@hookimpl
def home_tiles(visit):
    return [Tile("SteadyTile", f"/t/{visit.slug}/p/steady/")]


@hookimpl
def console_widgets(visit):
    return [Widget("SteadyWidget", template="steady/widget.html", context={"slug": visit.slug})]
