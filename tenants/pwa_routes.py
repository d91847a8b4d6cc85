"""A district's installable app: /t/{slug}/manifest.webmanifest, /t/{slug}/sw.js, the icons
under /t/{slug}/icons/ and the page the worker shows offline, /t/{slug}/offline.

All are public (a phone fetches them without a session) and the district's own: a pending,
rejected or suspended district answers 423 for them as for its other pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from core import i18n
from core.i18n import Message
from tenants import logo, pwa
from tenants.resolution import ResolvedTenant, current_tenant

MANIFEST_TYPE = "application/manifest+json"
# An icon asked for by its current version may be kept for a year (a new logo is a new
# version); without it, for a short while.
ICON_CACHE = "public, max-age=31536000, immutable"
ICON_CACHE_UNVERSIONED = "public, max-age=300"

OFFLINE_TEXT = (
    Message("You are offline"),
    Message("This page needs the network. It works again as soon as your phone is back online."),
    Message("Try again"),
)


class DistrictAppController(Controller):
    path = "/t/{slug:str}"
    opt = {"auth": "none"}
    dependencies = {"tenant": Provide(current_tenant, sync_to_thread=False)}

    @get("/manifest.webmanifest", name="district_manifest", sync_to_thread=False)
    def manifest(self, tenant: NamedDependency[ResolvedTenant]) -> Response:
        return Response(pwa.manifest(tenant), media_type=MANIFEST_TYPE,
                        headers={"Cache-Control": "public, max-age=300"})

    @get("/icons/{name:str}", name="district_icon")
    async def icon(self, request: Request, tenant: NamedDependency[ResolvedTenant], name: FromPath[str]) -> Response:
        if name not in logo.icon_names():
            raise NotFoundException()
        png = await logo.icon(request.app.state.settings, tenant, name)
        current = request.query_params.get("v") == logo.icons_version(tenant)
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": ICON_CACHE if current else ICON_CACHE_UNVERSIONED})

    @get("/sw.js", name="district_worker", sync_to_thread=False)
    def worker(self, request: Request, tenant: NamedDependency[ResolvedTenant]) -> Response:
        # Always revalidated: a new release's worker must reach phones at their next visit.
        return Response(pwa.worker(request.app.state.settings, tenant), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})

    @get("/offline", name="district_offline", sync_to_thread=False)
    def offline(self, tenant: NamedDependency[ResolvedTenant]) -> Template:
        # In both languages at once: the worker keeps one copy, whatever language is chosen later.
        current = i18n.current_language()
        languages = [current] + [language for language in i18n.LANGUAGES if language != current]
        texts = [{"lang": "zh-CN" if language == "zh-Hans" else language,
                  "title": i18n.translate(OFFLINE_TEXT[0], language),
                  "body": i18n.translate(OFFLINE_TEXT[1], language),
                  "again": i18n.translate(OFFLINE_TEXT[2], language)} for language in languages]
        return Template("tenant/offline.html", context={"tenant": tenant, "texts": texts},
                        headers={"Cache-Control": "no-cache"})
