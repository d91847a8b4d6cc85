"""The sample plugin's hook implementations: a page, a private page, an API route, a tile
and the routing of its category's items to the office serving the address."""

from litestar import Request, get

from core.sdk import Plugin, Tile, hookimpl

plugin = Plugin("sample")

# The office serving each address; an address it does not know fails the lookup (KeyError).
OFFICES = {"东风路1号": 7}


@get("/", opt={"auth": "none"})
async def index(request: Request) -> str:
    settings = await plugin.settings(plugin.scope(request))
    return f"sample {settings['greeting']}"


@get("/private", opt={"auth": "none", "private": True})
async def private_page(request: Request) -> str:
    return f"sample private {plugin.tenant(request).slug}"


@get("/", opt={"auth": "none"})
async def summary(request: Request) -> dict:
    return {"plugin": "sample", "district": plugin.tenant(request).slug}


@hookimpl
def page_routes():
    return [index, private_page]


@hookimpl
def api_routes():
    return [summary]


@hookimpl
def home_tiles(visit):
    return [Tile("Sample", f"/t/{visit.slug}/p/sample/")]


@hookimpl
def feedback_party(scope, category, submission):
    return "sample_office", OFFICES[submission.address]
