"""/admin: the platform admin approves, rejects, suspends and resumes districts."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import platform_role
from core.accounts.roles import PLATFORM_ADMIN
from core.errors import Conflict, ValidationFailed
from core.web.client import client_address
from core.web.forms import form_data, see_other
from tenants import services
from tenants.tables import STATUS_LABELS, TenantStatus

ACTIONS = ("approve", "reject", "suspend", "resume")


async def _page(errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                status_code: int = 200) -> Template:
    tenants = await services.list_tenants()
    return Template(
        "platform/admin.html",
        context={
            "pending": [t for t in tenants if t.status == TenantStatus.pending.value],
            "others": [t for t in tenants if t.status != TenantStatus.pending.value],
            "errors": errors or {},
            "values": values or {},
            "status_labels": STATUS_LABELS,
        },
        status_code=status_code,
    )


class PlatformAdminController(Controller):
    path = "/admin"
    opt = {"auth": "session"}

    @get("/", name="platform_admin")
    async def home(self, request: Request) -> Template:
        platform_role(request, PLATFORM_ADMIN)
        return await _page()

    @post("/tenants/{slug:str}/{action:str}", status_code=303)
    async def change(self, request: Request, slug: FromPath[str], action: FromPath[str]) -> Response:
        admin = platform_role(request, PLATFORM_ADMIN)
        if action not in ACTIONS:
            raise NotFoundException()
        data = await form_data(request)
        # Each district's reason field is named for it: the page holds one per district.
        field = f"reason-{slug}"
        typed = {field: data.get("reason", "")}
        try:
            await services.change_status(slug, action, data.get("reason", ""), actor_id=admin.id,
                                         client_address=client_address(request))
        except ValidationFailed as error:
            return await _page({field: str(error.errors["reason"])}, typed, 422)
        except Conflict as conflict:
            # A missing reason belongs next to the field; a change the district can no longer
            # take (its form is gone from the page) is said above the lists.
            where = field if conflict.extra.get("field") == "reason" else "__all__"
            return await _page({where: str(conflict.detail)}, typed, 409)
        return see_other("/admin")

