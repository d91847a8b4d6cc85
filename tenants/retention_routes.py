"""/t/{slug}/console/retention: the district admin decides how long the district keeps each
kind of sensitive data before the nightly job erases it (core.protection.retention)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.forms import FieldError, whole_number
from core.i18n import Message
from core.protection import retention
from core.web.forms import echo, form_data, see_other

TEMPLATE = "console/retention.html"


def field_name(kind: str) -> str:
    return f"days_{kind}"


async def _page(request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200, saved: bool = False) -> Template:
    tenant = request.state.tenant
    rules = await retention.rules_of(tenant.scope)
    if values is None:
        values = {field_name(rule.kind): str(rule.days) for rule in rules}
    return Template(TEMPLATE, status_code=status_code, context={
        "tenant": tenant, "rules": rules, "values": values, "errors": errors or {}, "saved": saved,
        "field_name": field_name, "maximum": retention.MAX_DAYS})


class DistrictRetentionController(Controller):
    path = "/t/{slug:str}/console/retention"
    opt = {"auth": "session"}

    @get("/", name="console_retention")
    async def show(self, request: Request, saved: FromQuery[bool] = False) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await _page(request, saved=saved)

    @post("/", status_code=303)
    async def save(self, request: Request) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        tenant = request.state.tenant
        data = await form_data(request)
        rules = await retention.rules_of(tenant.scope)
        chosen, errors = {}, {}
        for rule in rules:
            name = field_name(rule.kind)
            try:
                days = whole_number(data.get(name), low=0, high=retention.MAX_DAYS)
                if days is None:
                    raise FieldError(Message("Enter a number of days (0: until the person is erased)."))
                chosen[rule.kind] = days
            except FieldError as error:
                errors[name] = str(error.message)
        if errors:
            return await _page(request, values=echo(data), errors=errors, status_code=422)
        # All of them or none: one transaction for every change (each audited).
        async with tenant.scope.transaction(write=True):
            for rule in rules:
                if chosen[rule.kind] != rule.days:
                    await retention.set_days(tenant.scope, rule.kind, chosen[rule.kind], actor_id=actor.id)
        return see_other(f"/t/{tenant.slug}/console/retention?saved=1")
