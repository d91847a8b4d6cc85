"""Fees on the web: the console's fee schedule, bills, payments, reductions and arrears of a
compound; an owner's bills and receipts, and paying online through the district's provider
(with the development provider's own "gateway" page); and the providers' notifications."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.sdk import Conflict, NotFound, ValidationFailed, now

from plugins.red_property import estates, fees, payments
from plugins.red_property.handle import plugin
from plugins.red_property.routes.common import MANAGERS, PAGE, common


class FeeConsolePages(Controller):
    path = "/console"
    opt = PAGE

    async def _fees(self, request: Request, compound_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, made: int | None = None,
                    status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        compound = await estates.compound(scope, compound_id)
        schedule = await fees.schedule_of(scope, compound_id)
        if values is None:
            values = {"rate": schedule["rate"], "items": schedule["items_text"],
                      "due_days": str(schedule["due_days"])} if schedule else {"due_days": "30"}
        return plugin.template("fees.html", status_code=status_code, context={
            **await common(request), "compound": compound, "schedule": schedule, "values": values,
            "errors": errors or {}, "made": made, "period": fees.period_of(now()),
            "bills": await fees.bills_of_compound(scope, compound_id), "arrears": await fees.arrears(scope, compound_id)})

    @get("/compounds/{compound_id:int}/fees", name="red_property_fees")
    async def fee_page(self, request: Request, compound_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._fees(request, compound_id)

    @post("/compounds/{compound_id:int}/fees", name="red_property_set_fees", status_code=303)
    async def set_fees(self, request: Request, compound_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await fees.set_schedule(plugin.scope(request), actor.id, compound_id, data)
        except ValidationFailed as error:
            return await self._fees(request, compound_id, values=data, errors=plugin.field_errors(error),
                                    status_code=422)
        return Redirect(f"{plugin.base(request)}/console/compounds/{compound_id}/fees", status_code=303)

    @post("/compounds/{compound_id:int}/bills", name="red_property_issue_bills", status_code=200)
    async def issue(self, request: Request, compound_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        scope = plugin.scope(request)
        await estates.compound(scope, compound_id)
        made = await fees.issue_bills(scope, compound_id=compound_id)
        return await self._fees(request, compound_id, made=made)

    async def _bill(self, request: Request, bill_id: int, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, form: str = "", problem: str = "",
                    status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        bill = await fees.bill(scope, bill_id)
        return plugin.template("bill_console.html", status_code=status_code, context={
            **await common(request), "bill": bill, "compound": await estates.compound(scope, bill["compound"]),
            "payments": await fees.payments_of_bills(scope, [bill_id]),
            "history": await fees.ledger.history(scope, reference=f"bill:{bill_id}"), "yuan": fees.yuan,
            "methods": fees.METHODS, "values": values or {}, "errors": errors or {}, "form": form, "problem": problem,
            "key": (values or {}).get("idempotency_key") or uuid.uuid4().hex})

    @get("/bills/{bill_id:int}", name="red_property_bill_console")
    async def bill(self, request: Request, bill_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        return await self._bill(request, bill_id)

    @post("/bills/{bill_id:int}/payments", name="red_property_record_payment", status_code=303)
    async def record_payment(self, request: Request, bill_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            recorded = await fees.record_payment(plugin.scope(request), actor.id, bill_id, data)
        except ValidationFailed as error:
            return await self._bill(request, bill_id, values=data, errors=plugin.field_errors(error), form="payment",
                                    status_code=422)
        except Conflict as error:
            return await self._bill(request, bill_id, values=data, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/receipts/{recorded.payment_id}", status_code=303)

    @post("/bills/{bill_id:int}/reductions", name="red_property_reduce", status_code=303)
    async def reduce(self, request: Request, bill_id: FromPath[int]) -> Response:
        actor, _roles = await plugin.roles(request, MANAGERS)
        data = await plugin.form_data(request)
        try:
            await fees.reduce(plugin.scope(request), actor.id, bill_id, data)
        except ValidationFailed as error:
            return await self._bill(request, bill_id, values=data, errors=plugin.field_errors(error),
                                    form="reduction", status_code=422)
        except Conflict as error:
            return await self._bill(request, bill_id, values=data, problem=str(error.detail), status_code=409)
        return Redirect(f"{plugin.base(request)}/console/bills/{bill_id}", status_code=303)

    @get("/receipts/{payment_id:int}", name="red_property_receipt_console")
    async def receipt(self, request: Request, payment_id: FromPath[int]) -> Response:
        await plugin.roles(request, MANAGERS)
        found = await fees.receipt(plugin.scope(request), payment_id)
        return plugin.template("receipt.html", context={
            **await common(request), "receipt": found, "back": f"{plugin.base(request)}/console/bills/{found['bill']['id']}"})


async def _owned_bill(request: Request, bill_id: int) -> dict[str, Any]:
    """The bill, if it is of a unit the signed-in person owns (404 otherwise)."""
    scope = plugin.scope(request)
    units = {home["unit"] for home in await estates.homes_of(scope, plugin.actor(request).id)}
    bill = await fees.bill(scope, bill_id)
    if bill["unit"] not in units:
        raise NotFoundException()
    return bill


class BillPages(Controller):
    path = "/"
    opt = PAGE

    async def _bill(self, request: Request, bill: dict[str, Any], *, problem: str = "",
                    status_code: int = 200) -> Response:
        scope = plugin.scope(request)
        return plugin.template("bill.html", status_code=status_code, context={
            **await common(request), "bill": bill, "payments": await fees.payments_of_bills(scope, [bill["id"]]),
            "online": await payments.provider_of(scope), "problem": problem})

    @get("/bills/{bill_id:int}", name="red_property_bill")
    async def bill(self, request: Request, bill_id: FromPath[int]) -> Response:
        return await self._bill(request, await _owned_bill(request, bill_id))

    @post("/bills/{bill_id:int}/pay", name="red_property_pay", status_code=303)
    async def pay(self, request: Request, bill_id: FromPath[int]) -> Response:
        bill = await _owned_bill(request, bill_id)
        try:
            address = await payments.start(plugin.scope(request), plugin.actor(request).id, bill_id,
                                           base_url=plugin.base(request))
        except Conflict as error:
            return await self._bill(request, bill, problem=str(error.detail), status_code=409)
        return Redirect(address, status_code=303)

    @get("/receipts/{payment_id:int}", name="red_property_receipt")
    async def receipt(self, request: Request, payment_id: FromPath[int]) -> Response:
        scope = plugin.scope(request)
        found = await fees.receipt(scope, payment_id)
        await _owned_bill(request, found["bill"]["id"])
        return plugin.template("receipt.html", context={**await common(request), "receipt": found,
                                                        "back": f"{plugin.base(request)}/bills/{found['bill']['id']}"})

    # The development provider's "gateway": the resident who started the order pays it here.

    async def _dev_order(self, request: Request, order_no: str) -> dict[str, Any]:
        scope = plugin.scope(request)
        if not payments.DEVELOPMENT.available():
            raise NotFoundException()
        try:
            placed = await payments.order(scope, order_no)
        except NotFound:
            raise NotFoundException() from None
        if placed["provider"] != "dev" or placed["person_id"] != plugin.actor(request).id:
            raise NotFoundException()
        return placed

    @get("/pay/dev-gateway/{order_no:str}", name="red_property_dev_gateway")
    async def dev_gateway(self, request: Request, order_no: FromPath[str]) -> Response:
        placed = await self._dev_order(request, order_no)
        return plugin.template("dev_gateway.html", context={
            **await common(request), "order": placed, "amount": fees.yuan(placed["amount_fen"])})

    @post("/pay/dev-gateway/{order_no:str}", name="red_property_dev_pay", status_code=303)
    async def dev_pay(self, request: Request, order_no: FromPath[str]) -> Response:
        placed = await self._dev_order(request, order_no)
        if placed["paid_at"] is None:
            body, headers = payments.DEVELOPMENT.notification(placed["order_no"], placed["amount_fen"])
            await payments.notified(plugin.scope(request), "dev", body, headers)
        return Redirect(f"{plugin.base(request)}/bills/{placed['bill']}", status_code=303)


class ProviderPages(Controller):
    """Where providers send their notifications: no session, no CSRF token (the provider
    signs what it sends, and ``verify`` checks it)."""

    path = "/pay"
    opt = {"auth": "signed"}

    @post("/{provider:str}/notify", name="red_property_notify", status_code=200, exclude_from_csrf=True)
    async def notify(self, request: Request, provider: FromPath[str]) -> Response:
        recorded = await payments.notified(plugin.scope(request), provider, await request.body(),
                                           {k.lower(): v for k, v in request.headers.items()})
        if recorded is None:
            return Response("refused", status_code=400, media_type="text/plain")
        return Response("ok", media_type="text/plain")
