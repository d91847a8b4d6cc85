"""/admin/publishers: platform admins see who may publish to the marketplace, grant the
publisher role to an account by its phone number or email, and revoke it."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts import platform_roles, services
from core.accounts.guards import platform_role
from core.accounts.roles import PLATFORM_ADMIN, PUBLISHER
from core.errors import Conflict, ValidationFailed
from core.forms import Form
from core.web.client import client_address
from core.web.forms import echo, form_data, form_errors, see_other


async def _page(*, values=None, errors=None, status_code: int = 200) -> Template:
    return Template("platform/publishers.html", status_code=status_code, context={
        "publishers": await platform_roles.holders(PUBLISHER), "values": values or {}, "errors": errors or {}})


class PublisherAdminController(Controller):
    path = "/admin/publishers"
    opt = {"auth": "session"}

    @get("/", name="platform_publishers")
    async def page(self, request: Request) -> Template:
        platform_role(request, PLATFORM_ADMIN)
        return await _page()

    @post("/", status_code=303)
    async def grant(self, request: Request) -> Response:
        admin = platform_role(request, PLATFORM_ADMIN)
        data = await form_data(request)
        form = Form(data)
        identifier = form.field("identifier", services.clean_identifier)
        try:
            form.raise_if_invalid()
            await platform_roles.grant(identifier, PUBLISHER, actor_id=admin.id,
                                       client_address=client_address(request))
        except ValidationFailed as error:
            return await _page(values=echo(data), errors=form_errors(error), status_code=422)
        except Conflict as conflict:
            return await _page(values=echo(data), errors={"identifier": str(conflict.detail)}, status_code=409)
        return see_other("/admin/publishers")

    @post("/{person_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, person_id: FromPath[int]) -> Response:
        admin = platform_role(request, PLATFORM_ADMIN)
        # Revoking twice (a second click, a resubmitted form) changes nothing more.
        await platform_roles.revoke(person_id, PUBLISHER, actor_id=admin.id, client_address=client_address(request))
        return see_other("/admin/publishers")
