"""The marketplace's public catalogue: every approved plugin, with search and categories
(/marketplace), and one plugin's page with its versions and changelog (/marketplace/{name}).
No sign-in is needed. (/marketplace/publish is PublishController's: a static path wins.)"""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.marketplace import catalogue
from core.plugins.manifest import CATEGORIES, OTHER_CATEGORY


class CatalogueController(Controller):
    path = "/marketplace"
    opt = {"auth": "none"}

    @get("/", name="marketplace_catalogue")
    async def listing(self, q: FromQuery[str] = "", category: FromQuery[str] = "") -> Template:
        q = q.strip()[:catalogue.QUERY_MAX_LENGTH]
        category = catalogue.clean_category(category)
        return Template("marketplace/catalogue.html", context={
            "plugins": await catalogue.listings(q, category), "q": q, "category": category,
            "categories": CATEGORIES, "other": catalogue.OTHER, "other_label": OTHER_CATEGORY})

    @get("/{name:str}", name="marketplace_plugin")
    async def plugin(self, name: FromPath[str]) -> Template:
        return Template("marketplace/plugin.html", context={
            "page": await catalogue.plugin_page(name), "categories": CATEGORIES, "other_label": OTHER_CATEGORY})
