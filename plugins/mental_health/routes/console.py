"""The counsellors' console: the district's referrals. Thin: the work is in ``services``."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from plugins.mental_health import network, services
from plugins.mental_health.handle import plugin
from plugins.mental_health.routes.common import PRIVATE, common
from plugins.mental_health.tables import LEVELS, REFERRAL_STATES


class ConsolePages(Controller):
    """Where counsellors see the district's referrals: who, when, how urgent, in which
    state; never a score or an answer."""

    path = "/console"
    opt = PRIVATE

    @get("/referrals/", name="mental_health_referrals")
    async def referrals(self, request: Request) -> Response:
        await plugin.roles(request, services.CONSOLE)
        return plugin.template("referrals.html", context={
            **await common(request), "referrals": await network.referrals(plugin.scope(request)),
            "levels": LEVELS, "states": REFERRAL_STATES, "chosen": None})

    @get("/referrals/{referral_id:int}", name="mental_health_referral")
    async def referral(self, request: Request, referral_id: FromPath[int]) -> Response:
        await plugin.roles(request, services.CONSOLE)
        chosen = await network.referral(plugin.scope(request), referral_id)
        return plugin.template("referrals.html", context={
            **await common(request), "referrals": [chosen], "levels": LEVELS, "states": REFERRAL_STATES,
            "chosen": chosen})
