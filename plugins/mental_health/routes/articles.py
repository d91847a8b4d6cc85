"""The self-help articles, for anyone signed in in the district. Thin: the texts are in
``articles``."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from plugins.mental_health import articles
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common


class ArticlePages(Controller):
    path = "/articles"
    opt = PRIVATE

    @get("/", name="mental_health_articles")
    async def listing(self, request: Request) -> Response:
        plugin.actor(request)
        return plugin.template("articles.html", context={
            **await common(request), "articles": list(articles.ARTICLES.values())})

    @get("/{band:str}", name="mental_health_article")
    async def one(self, request: Request, band: FromPath[str]) -> Response:
        plugin.actor(request)
        return plugin.template("article.html", context={**await common(request), "article": articles.article(band)})
