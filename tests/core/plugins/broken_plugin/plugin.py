"""The plugin that fails: its page and API route, navigation entry, home tile, console
widget (the hook itself, or the widget's template), event handlers and jobs each raise, or
hang past their timeout, while their place is in FAILING, and do their part otherwise.
Tests narrow FAILING to count the failures of one place, and to see the other parts go
when the plugin is degraded."""

import asyncio
from pathlib import Path

from litestar import get

from core.sdk import NavEntry, Plugin, Tile, Widget, hookimpl

plugin = Plugin("broken")

PLACES = frozenset({"page", "navigation", "tile", "widget", "widget_template", "handler", "job"})
# Where it fails now; "widget" (the hook raises) wins over "widget_template" (its template does).
FAILING: set[str] = set(PLACES)


def fail(place: str) -> None:
    if place in FAILING:
        raise RuntimeError(f"broken {place}")


def explode() -> str:
    raise RuntimeError("broken template")


@get("/", opt={"auth": "none"})
async def index() -> str:
    fail("page")
    return "broken works"


@get("/", opt={"auth": "none"})
async def summary() -> dict:
    fail("page")
    return {"plugin": "broken"}


@plugin.handles("feedback_submitted")
async def note_feedback(event) -> None:
    fail("handler")


@plugin.handles("feedback_status_changed")
async def stall_on_status(event) -> None:
    if "handler" in FAILING:
        await asyncio.sleep(60)


@plugin.job("chore", timeout=5)
async def chore(ctx, tenant_id: int) -> None:
    fail("job")


@plugin.job("stall", timeout=1)
async def stall(ctx, tenant_id: int) -> None:
    if "job" in FAILING:
        await asyncio.sleep(60)


@hookimpl
def page_routes():
    return [index]


@hookimpl
def api_routes():
    return [summary]


@hookimpl
def template_folder():
    return Path(__file__).resolve().parent / "templates"


@hookimpl
def jobs():
    return [chore, stall]


@hookimpl
def event_handlers():
    return [note_feedback, stall_on_status]


@hookimpl
def navigation(visit):
    # A generator: it fails only when the host reads what it yields.
    fail("navigation")
    yield NavEntry("BrokenNav", f"/t/{visit.slug}/p/broken/")


@hookimpl
def home_tiles(visit):
    fail("tile")
    return [Tile("BrokenTile", f"/t/{visit.slug}/p/broken/")]


@hookimpl
def console_widgets(visit):
    fail("widget")
    if "widget_template" in FAILING:
        return [Widget("BrokenWidget", template="broken/widget.html", context={"explode": explode})]
    return [Widget("BrokenWidget", text="broken widget works")]
