"""The platform landing page, a district's home page and its help page."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from core.plugins import web as plugin_web
from tenants import services
from tenants.resolution import ResolvedTenant, current_tenant
from tenants.tables import Community, Street, TenantStatus


@get("/", name="landing", opt={"auth": "none"})
async def landing() -> Template:
    districts = await services.list_tenants(TenantStatus.active)
    return Template("platform/landing.html", context={"districts": districts})


class DistrictHomeController(Controller):
    path = "/t/{slug:str}"
    opt = {"auth": "none"}
    dependencies = {"tenant": Provide(current_tenant, sync_to_thread=False)}

    @get("/", name="district_home")
    async def home(self, request: Request, tenant: NamedDependency[ResolvedTenant]) -> Template:
        scope = tenant.scope
        async with scope.transaction():
            streets = await scope.select(Street, Street.id, Street.name).order_by(Street.id)
            communities = await scope.select(Community, Community.street, Community.name).order_by(Community.id)
        by_street: dict[int, list[str]] = {}
        for community in communities:
            by_street.setdefault(community["street"], []).append(community["name"])
        return Template(
            "tenant/home.html",
            context={"tenant": tenant, "streets": streets, "communities_by_street": by_street,
                     "tiles": await plugin_web.tiles(request)},
        )

    @get("/help", name="district_help")
    async def help(self, tenant: NamedDependency[ResolvedTenant]) -> Template:
        """How to use the district's app, in plain words (linked from the home page's tiles)."""
        return Template("tenant/help.html", context={"tenant": tenant})
