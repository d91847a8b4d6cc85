"""The district console's home: who you are here and the part of the district you serve.

District admins, and staff whose role covers the whole district, see all of it; staff
scoped to a street, community, grid or department see only that part.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from core.accounts import services
from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES, DISTRICT_ADMIN, label_of
from core.notices.permissions import can_author
from core.notifications.district_routes import district_channels
from core.plugins import web as plugin_web
from core.plugins.tables import PluginState
from core.protection import services as protection
from tenants import bounds, organisation


def _visible(places, streets, communities, grids, departments):
    """Only the units under the person's own places (all of them for district-wide roles)."""
    console_places = [p for p in places if p.roles & CONSOLE_ROLES]
    if any(DISTRICT_ADMIN in p.roles or not p.unit_kind for p in console_places):
        return streets, communities, grids, departments
    wanted = {(p.unit_kind, p.unit_id) for p in console_places}
    grid_ids = {g["id"] for g in grids if ("grid", g["id"]) in wanted}
    community_ids = {c["id"] for c in communities if ("community", c["id"]) in wanted
                     or ("street", c["street"]) in wanted}
    grid_ids |= {g["id"] for g in grids if g["community"] in community_ids}
    community_ids |= {g["community"] for g in grids if g["id"] in grid_ids}
    street_ids = {s["id"] for s in streets if ("street", s["id"]) in wanted}
    street_ids |= {c["street"] for c in communities if c["id"] in community_ids}
    return (
        [s for s in streets if s["id"] in street_ids],
        [c for c in communities if c["id"] in community_ids],
        [g for g in grids if g["id"] in grid_ids],
        [d for d in departments if ("department", d["id"]) in wanted],
    )


async def _degraded(scope) -> list:
    """The titles of the plugins stopped in the district after repeated failures."""
    from core.plugins import enablement
    from core.plugins.host import host

    installed = host().plugins
    return [installed[name].manifest.title for name, row in (await enablement.states(scope)).items()
            if row.state == PluginState.degraded.value and name in installed]


class ConsoleHomeController(Controller):
    path = "/t/{slug:str}/console"
    opt = {"auth": "session"}

    @get("/", name="console_home")
    async def home(self, request: Request) -> Template:
        actor, roles = await tenant_roles(request, CONSOLE_ROLES)
        return await home_page(request, actor, roles)


async def home_page(request: Request, actor, roles: frozenset[str], *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
    """The console home; ``values`` and ``errors`` are those of the district bounds form
    (the district's own bounds when not given)."""
    tenant = request.state.tenant
    scope = tenant.scope
    found = await organisation.units(scope)
    streets, communities, grids, departments = _visible(
        await services.places_of(scope, actor.id),
        found["streets"], found["communities"], found["grids"], found["departments"],
    )
    if values is None and DISTRICT_ADMIN in roles:
        area = await bounds.of(tenant.id)
        values = area.as_values() if area else {}
    return Template(
        "console/home.html",
        status_code=status_code,
        context={
            "tenant": tenant,
            "actor": actor,
            "is_admin": DISTRICT_ADMIN in roles,
            "can_author": can_author(roles),
            "role_labels": [label_of(role) for role in sorted(roles)],
            "streets": streets,
            "communities": communities,
            "grids": grids,
            "departments": departments,
            "channels": await district_channels(tenant.id) if DISTRICT_ADMIN in roles else {},
            "encryption_algorithm": await protection.current_algorithm(scope) if DISTRICT_ADMIN in roles else None,
            "values": values or {},
            "errors": errors or {},
            "widgets": await plugin_web.widgets(request, roles),
            "degraded_plugins": await _degraded(scope) if DISTRICT_ADMIN in roles else [],
        },
    )
