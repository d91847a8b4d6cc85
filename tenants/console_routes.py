"""The district console's home: who you are here and how the district is organised."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import CONSOLE_ROLES, TENANT_ROLES
from tenants.tables import Community, Department, Grid, Street


class ConsoleHomeController(Controller):
    path = "/t/{slug:str}/console"
    opt = {"auth": "session"}

    @get("/", name="console_home")
    async def home(self, request: Request) -> Template:
        actor, roles = await tenant_roles(request, CONSOLE_ROLES)
        tenant = request.state.tenant
        scope = tenant.scope
        async with scope.transaction():
            streets = await scope.select(Street, Street.id, Street.name).order_by(Street.id)
            communities = await scope.select(Community, Community.id, Community.street, Community.name).order_by(
                Community.id)
            grid_counts: dict[int, int] = {}
            for row in await scope.select(Grid, Grid.community):
                grid_counts[row["community"]] = grid_counts.get(row["community"], 0) + 1
            departments = await scope.select(Department, Department.name).order_by(Department.id)
        return Template(
            "console/home.html",
            context={
                "tenant": tenant,
                "actor": actor,
                "role_labels": [TENANT_ROLES.get(role, role) for role in sorted(roles)],
                "streets": streets,
                "communities": communities,
                "grid_counts": grid_counts,
                "departments": departments,
            },
        )
