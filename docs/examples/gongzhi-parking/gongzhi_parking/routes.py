"""The plugin's pages, mounted by the platform under ``/t/{slug}/p/parking/``: a resident's
applications and the form to apply; the console where staff keep the spaces, see the
applications and run the month's allocation. Thin: the work is in ``services``.

The platform answers 404 for them in a district that has not enabled the plugin, and a
failure in them is contained; they only say who may use them.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Message, PermissionDenied, ValidationFailed, now

from gongzhi_parking import services
from gongzhi_parking.handle import plugin
from gongzhi_parking.tables import STATE_LABELS

# Who may use the console: district admins see every community; staff and parking managers
# the communities their memberships are in (all of them, for a district-wide membership).
DISTRICT_ADMIN = "district_admin"
KEEPERS = {"staff", "parking.manager"}



async def _own_community(request: Request) -> str:
    """The community the resident belongs to, chosen in the form to begin with."""
    for place in await plugin.places(request):
        if place.unit_kind == "community":
            return str(place.unit_id)
    return ""


class ResidentPages(Controller):
    path = "/"
    opt = {"auth": "session", "private": True}

    async def _page(self, request: Request, *, values: dict[str, str], errors: dict[str, str],
                    status_code: int = 200) -> Response:
        actor = plugin.actor(request)
        scope = plugin.scope(request)
        return plugin.template("index.html", status_code=status_code, context={
            "tenant": plugin.tenant(request), "base": plugin.base(request), "values": values, "errors": errors,
            "applications": await services.own_applications(scope, actor.id), "labels": STATE_LABELS,
            "communities": await plugin.communities(scope), "rules": (await plugin.settings(scope))["rules"]})

    @get("/", name="parking_home")
    async def home(self, request: Request) -> Response:
        plugin.actor(request)
        # Each form carries its own key: sent twice (a retry, a double tap), it is one application.
        return await self._page(request, errors={}, values={
            "community": await _own_community(request), "idempotency_key": secrets.token_urlsafe(18)})

    @post("/applications", name="parking_apply", status_code=303)
    async def apply(self, request: Request) -> Response:
        actor = plugin.actor(request)
        data = await plugin.form_data(request)
        try:
            await services.apply(plugin.scope(request), actor.id, data)
        except ValidationFailed as error:
            if not services.valid_key(data.get("idempotency_key", "")):
                data["idempotency_key"] = secrets.token_urlsafe(18)
            return await self._page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/?applied=1", status_code=303)

    @post("/applications/{application_id:int}/withdraw", name="parking_withdraw", status_code=303)
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> Response:
        actor = plugin.actor(request)
        await services.withdraw(plugin.scope(request), actor.id, application_id)
        return Redirect(f"{plugin.base(request)}/", status_code=303)


async def looked_after(request: Request) -> set[int] | None:
    """The communities whose parking the signed-in person keeps (None: every one); 403 for
    someone with no role that opens the console."""
    _actor, roles = await plugin.roles(request, {DISTRICT_ADMIN, *KEEPERS})
    if DISTRICT_ADMIN in roles:
        return None
    communities: set[int] = set()
    for place in await plugin.places(request):
        if not place.roles & KEEPERS:
            continue
        if place.unit_kind == "":
            return None
        if place.unit_kind == "community":
            communities.add(place.unit_id)
    return communities


class ConsolePages(Controller):
    path = "/console"
    opt = {"auth": "session", "private": True}

    async def _page(self, request: Request, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200, **extra: Any) -> Response:
        scope = plugin.scope(request)
        mine = await looked_after(request)
        communities = [c for c in await plugin.communities(scope) if mine is None or c["id"] in mine]
        return plugin.template("console.html", status_code=status_code, context={
            "tenant": plugin.tenant(request), "base": plugin.base(request), "values": values or {},
            "errors": errors or {}, "communities": communities, "labels": STATE_LABELS, "can_allocate": mine is None,
            "spaces": await services.spaces(scope, mine), "month": services.month_of(now()),
            "applications": await services.applications(scope, mine), "allocated": None, **extra})

    @get("/", name="parking_console")
    async def console(self, request: Request) -> Response:
        allocated = request.query_params.get("allocated", "")
        return await self._page(request, allocated=int(allocated) if allocated.isdigit() else None)

    @post("/spaces", name="parking_add_space", status_code=303)
    async def add_space(self, request: Request) -> Response:
        mine = await looked_after(request)
        data = await plugin.form_data(request)
        try:
            await services.add_space(plugin.scope(request), data, mine)
        except ValidationFailed as error:
            return await self._page(request, values=data, errors=plugin.field_errors(error), status_code=422)
        return Redirect(f"{plugin.base(request)}/console/", status_code=303)

    @post("/spaces/{space_id:int}/switch", name="parking_switch_space", status_code=303)
    async def switch_space(self, request: Request, space_id: FromPath[int]) -> Response:
        await services.switch_space(plugin.scope(request), space_id, await looked_after(request))
        return Redirect(f"{plugin.base(request)}/console/", status_code=303)

    @post("/allocate", name="parking_allocate", status_code=303)
    async def allocate(self, request: Request) -> Response:
        """Run this month's allocation now, for the whole district (district admins and
        district-wide keepers only: it gives out every community's spaces)."""
        if await looked_after(request) is not None:
            raise PermissionDenied(Message("Only those who keep the parking of the whole district run the "
                                           "allocation."))
        done = await services.allocate(plugin.scope(request), services.month_of(now()))
        return Redirect(f"{plugin.base(request)}/console/?allocated={len(done)}", status_code=303)
