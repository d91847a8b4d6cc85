"""Paying a bill online: the contract a payment provider fulfils, and the development
provider that tests and demonstrations drive (a real gateway is a provider of its own).

The contract (``Provider``):

1. A resident asks to pay a bill. Gongzhi makes a :class:`~plugins.red_property.tables.PaymentOrder`
   for what the bill still needs, with a number of its own (``order_no``), and calls
   ``provider.start(order)``, which answers the address to send the resident to (the gateway's
   page). ``order.notify_url`` is where the provider must tell Gongzhi of the payment;
   ``order.return_url`` is where the resident comes back to.
2. The provider POSTs its notification to ``notify_url``
   (``/t/<district>/p/red_property/pay/<provider>/notify``), as many times as it likes. Gongzhi
   gives the body and headers to ``provider.verify``, which answers a :class:`Paid` only for an
   authentic notification of a completed payment (anything else: None, answered 400).
3. A verified payment is recorded once per provider transaction (its ledger key is
   ``payment:<provider>:<transaction_id>``), for the order's bill, with a receipt. The amount
   must be the order's; a bill paid meanwhile by other means keeps the surplus to the
   household's credit, since the money has moved. The answer is 200 ``ok`` every time.

A provider registers itself with :func:`register`; a district picks one in the plugin's
settings (``payment_provider``). The development provider (``dev``) is offered only where the
server runs in test mode or ``GONGZHI_RED_PROPERTY_DEV_PAYMENTS=1``: it takes no money.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.sdk import Conflict, Message, NotFound, TenantScope, now

from plugins.red_property import fees
from plugins.red_property.handle import plugin
from plugins.red_property.tables import PaymentOrder


@dataclass(frozen=True)
class Order:
    order_no: str
    amount_fen: int
    subject: str
    return_url: str
    notify_url: str


@dataclass(frozen=True)
class Paid:
    """An authentic notification that an order was paid."""

    order_no: str
    transaction_id: str
    amount_fen: int


class Provider(Protocol):
    name: str
    label: Message

    def available(self) -> bool:
        """Whether this server may use the provider (configured, or allowed here)."""

    async def start(self, order: Order) -> str:
        """The address of the provider's page where the resident pays the order."""

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Paid | None:
        """The payment a notification reports, if the notification is authentic."""


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    PROVIDERS[provider.name] = provider
    return provider


class DevelopmentProvider:
    """Takes no money: its "gateway" is a page of this plugin where the resident presses Pay,
    which sends a notification signed with HMAC-SHA256 (header ``X-Dev-Signature``) under a key
    from ``GONGZHI_RED_PROPERTY_DEV_PAYMENT_KEY`` (a fresh one per process where unset)."""

    name = "dev"
    label = Message("Development payments (no money moves)")

    def __init__(self) -> None:
        self._key = (os.environ.get("GONGZHI_RED_PROPERTY_DEV_PAYMENT_KEY") or secrets.token_hex(32)).encode()

    def available(self) -> bool:
        return os.environ.get("GONGZHI_TEST_MODE") == "1" or os.environ.get("GONGZHI_RED_PROPERTY_DEV_PAYMENTS") == "1"

    async def start(self, order: Order) -> str:
        return order.return_url.rsplit("/bills/", 1)[0] + f"/pay/dev-gateway/{order.order_no}"

    def sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def notification(self, order_no: str, amount_fen: int) -> tuple[bytes, dict[str, str]]:
        """What the gateway sends when the resident pays: the body and its headers."""
        body = json.dumps({"order_no": order_no, "transaction_id": f"dev-{secrets.token_hex(8)}",
                           "amount_fen": amount_fen, "status": "paid"}).encode()
        return body, {"x-dev-signature": self.sign(body)}

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Paid | None:
        signature = headers.get("x-dev-signature", "")
        if not hmac.compare_digest(signature, self.sign(body)):
            return None
        try:
            data = json.loads(body)
            paid = Paid(str(data["order_no"]), str(data["transaction_id"]), int(data["amount_fen"]))
        except (ValueError, KeyError, TypeError):
            return None
        return paid if data.get("status") == "paid" and paid.amount_fen > 0 else None


DEVELOPMENT = register(DevelopmentProvider())


async def provider_of(scope: TenantScope) -> Provider | None:
    """The provider the district chose, if this server may use it."""
    chosen = PROVIDERS.get(str((await plugin.settings(scope)).get("payment_provider") or ""))
    return chosen if chosen is not None and chosen.available() else None


async def start(scope: TenantScope, person_id: int, bill_id: int, *, base_url: str) -> str:
    """An order for what the bill still needs; the address of the provider's page."""
    provider = await provider_of(scope)
    if provider is None:
        raise Conflict(Message("Bills cannot be paid online in this district; pay the property office."))
    bill = await fees.bill(scope, bill_id)
    if bill["owed_fen"] <= 0:
        raise Conflict(Message("This bill is paid."))
    order_no = f"{now():%Y%m%d}{secrets.token_hex(6)}"
    await scope.create(PaymentOrder, order_no=order_no, bill=bill_id, provider=provider.name,
                       amount_fen=bill["owed_fen"], person_id=person_id, created_at=now())
    return await provider.start(Order(order_no, bill["owed_fen"], f"{bill['period']} {bill['unit_label']}",
                                      return_url=f"{base_url}/bills/{bill_id}",
                                      notify_url=f"{base_url}/pay/{provider.name}/notify"))


async def order(scope: TenantScope, order_no: str) -> dict:
    found = await scope.select(PaymentOrder).where(PaymentOrder.order_no == order_no).first()
    if found is None:
        raise NotFound()
    return found


async def notified(scope: TenantScope, provider_name: str, body: bytes, headers: Mapping[str, str]) -> int | None:
    """A provider's notification: the payment's id once recorded (the same every time the
    notification comes), or None when it is not authentic or does not match its order."""
    provider = PROVIDERS.get(provider_name)
    if provider is None or not provider.available():
        raise NotFound()
    paid = provider.verify(body, headers)
    if paid is None:
        return None
    try:
        placed = await order(scope, paid.order_no)
    except NotFound:
        return None
    if placed["provider"] != provider_name or placed["amount_fen"] != paid.amount_fen:
        return None
    async with scope.transaction(write=True):
        bill = await fees.bill(scope, placed["bill"])
        recorded = await fees.pay(scope, bill, paid.amount_fen, f"provider:{provider_name}",
                                  key=f"payment:{provider_name}:{paid.transaction_id}", reference=paid.transaction_id,
                                  may_exceed=True)
        if placed["paid_at"] is None:
            await scope.update(PaymentOrder, {PaymentOrder.paid_at: now(), PaymentOrder.payment: recorded.payment_id}
                               ).where(PaymentOrder.id == placed["id"])
    return recorded.payment_id
