"""The district's figures, for its supervisors and admins. Thin: the counting is in ``figures``."""

from __future__ import annotations

from litestar import Controller, Request, Response, get

from plugins.mental_health import figures, network
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common
from plugins.mental_health.tables import LEVELS, REFERRAL_STATES


class FigurePages(Controller):
    path = "/console/figures"
    opt = PRIVATE

    @get("/", name="mental_health_figures")
    async def figures(self, request: Request) -> Response:
        await plugin.roles(request, network.MANAGERS)
        return plugin.template("figures.html", context={
            **await common(request), "figures": await figures.district_figures(plugin.scope(request)),
            "levels": LEVELS, "states": REFERRAL_STATES, "smallest": figures.SMALLEST})
