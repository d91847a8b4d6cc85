"""The district's JSON API for accounts: who a token belongs to, and the organisation.

Authenticated by API credentials only (``Authorization: Bearer …``); a session cookie alone
is refused, so these routes need no CSRF token.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from core.accounts import credentials, services
from core.accounts.tables import Person
from core.errors import NotFound, PermissionDenied
from core.i18n import Message
from core.web.problems import problem_responses
from tenants import organisation


async def _credential(request: Request, scope: str):
    tenant = request.state.tenant
    return tenant, await credentials.authenticate(request.headers.get("authorization"), tenant_id=tenant.id,
                                                  scope=scope)


class DistrictApiController(Controller):
    path = "/api/v1/t/{slug:str}"
    include_in_schema = True  # the OpenAPI document describes the API, not the pages
    opt = {"auth": "token", "exclude_from_csrf": True}
    tags = ["accounts"]

    @get("/me", summary="The person a token belongs to, and their roles in this district",
         responses=problem_responses(400, 401, 403, 404))
    async def me(self, request: Request) -> dict[str, Any]:
        tenant, credential = await _credential(request, "profile:read")
        if credential.kind != "person":
            raise PermissionDenied(Message("Only a person's token has a person."))
        person = await Person.objects().where(Person.id == credential.person_id).first()
        if person is None:
            raise NotFound()
        return {
            "id": person.id,
            "display_name": person.display_name,
            "district": tenant.slug,
            "roles": sorted(await services.roles_in(tenant.scope, person.id)),
        }

    @get("/organisation", summary="The district's streets, communities, grids and departments",
         responses=problem_responses(400, 401, 403, 404))
    async def organisation(self, request: Request) -> dict[str, Any]:
        tenant, _credential_ = await _credential(request, "organisation:read")
        return {"district": tenant.slug, **await organisation.units(tenant.scope)}
