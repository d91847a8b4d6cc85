"""Property fees: a schedule per compound, monthly bills, payments with their receipts,
reductions, and arrears; every amount in fen, every movement on the fee ledger.

The ledger's accounts: ``household:<unit>`` (bills take from it and payments give to it, so a
balance below zero is what the household owes), ``income:<compound>`` (what bills earned; it
never goes below zero) and ``received:<method>:<compound>`` (money that came in, by cash, bank
transfer or a payment provider). Every transfer about a bill names it (``bill:<id>``), so what a
bill still needs is computed from the ledger, never kept beside it.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.sdk import (CHINA, Conflict, FieldError, Form, Message, NotFound, TenantScope, ValidationFailed,
                      clean_text, now, whole_number)

from plugins.red_property import estates
from plugins.red_property.handle import plugin
from plugins.red_property.tables import Account, Bill, Compound, FeeSchedule, Payment, Transfer, Unit

ledger = plugin.ledger(Account, Transfer)

PROPERTY_FEE = "property_fee"  # the line of a bill that area × rate makes (other lines are items, by name)
METHODS = {"cash": Message("Cash"), "bank": Message("Bank transfer")}
LARGEST_RATE_FEN = 100_00  # 100 元 per m² per month
LARGEST_ITEM_FEN = 10_000_00
LARGEST_PAYMENT_FEN = 1_000_000_00
_YUAN = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


# Money as people write and read it -------------------------------------------------------


def fen(value: Any, *, largest: int, allow_zero: bool = True) -> int:
    """An amount in 元 as people write it (1.80, １.８, 200) in fen; FieldError for a negative
    amount, more than two decimals or more than ``largest``."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().removeprefix("¥").removesuffix("元").strip()
    if not text:
        raise FieldError(Message("Give an amount in yuan."))
    if text.startswith("-"):
        raise FieldError(Message("An amount cannot be negative."))
    if not _YUAN.match(text):
        raise FieldError(Message("An amount is a number of yuan with at most two decimals, like 1.80."))
    amount = int(Decimal(text) * 100)
    if amount == 0 and not allow_zero:
        raise FieldError(Message("An amount is above zero."))
    if amount > largest:
        raise FieldError(Message("At most %(largest)s yuan.", {"largest": yuan(largest)}))
    return amount


def yuan(amount_fen: int) -> str:
    """Fen as people read them: 12345 → 123.45, -500 → -5.00."""
    sign = "-" if amount_fen < 0 else ""
    amount_fen = abs(amount_fen)
    return f"{sign}{amount_fen // 100:,}.{amount_fen % 100:02d}"


def period_of(moment: datetime) -> str:
    """The month a moment falls in, in China: YYYY-MM."""
    return moment.astimezone(CHINA).strftime("%Y-%m")


# Schedules ------------------------------------------------------------------------------


def parse_items(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    """``name amount`` per line (垃圾清运费 10.00) → [(name, fen)], and what is wrong, by line."""
    items, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", line).strip()
        if not line:
            continue
        name, _, amount = line.rpartition(" ")
        name = name.strip()
        try:
            if not name:
                raise FieldError(Message("Give a name, a space and an amount in yuan."))
            items.append((name[:40], fen(amount, largest=LARGEST_ITEM_FEN, allow_zero=False)))
        except FieldError as error:
            problems.append(Message("Line %(line)s: %(problem)s", {"line": number, "problem": error.message}))
    return items, problems


def _items_text(items: list[tuple[str, int]]) -> str:
    return "\n".join(f"{name} {yuan(amount).replace(',', '')}" for name, amount in items)


async def schedule_of(scope: TenantScope, compound_id: int) -> dict[str, Any] | None:
    row = await scope.select(FeeSchedule).where(FeeSchedule.compound == compound_id).first()
    if row is None:
        return None
    items = [tuple(item) for item in json.loads(row["items"] or "[]")]
    return {**row, "item_list": items, "rate": yuan(row["rate_fen"]), "items_text": _items_text(items)}


async def set_schedule(scope: TenantScope, actor_id: int, compound_id: int, data: dict[str, str]) -> None:
    """The compound's fees from a form: ``rate`` (元 per m² per month), ``items`` (one per
    line) and ``due_days``; replaces the schedule, and applies from the next bills."""
    await estates.compound(scope, compound_id)
    form = Form(data)
    rate = form.field("rate", fen, largest=LARGEST_RATE_FEN)
    items, problems = parse_items(data.get("items", ""))
    if problems:
        form.error("items", problems[0])
    due_days = form.field("due_days", whole_number, low=1, high=90)
    form.raise_if_invalid()
    values = {"rate_fen": rate, "items": json.dumps(items, ensure_ascii=False), "due_days": due_days or 30,
              "updated_by": actor_id, "updated_at": now()}
    async with scope.transaction(write=True):
        existing = await scope.select(FeeSchedule, FeeSchedule.id).where(FeeSchedule.compound == compound_id).first()
        if existing:
            await scope.update(FeeSchedule, values).where(FeeSchedule.id == existing["id"])
        else:
            await scope.create(FeeSchedule, compound=compound_id, **values)
        await plugin.audit(scope, "fees_set", actor_id=actor_id, target=f"red_property_compound:{compound_id}",
                           rate_fen=rate, items=len(items))


def bill_lines(schedule: dict[str, Any], area_cm2: int) -> list[tuple[str, int]]:
    """What a unit's month costs: the property fee (area × rate, to the nearest fen, halves
    up) and each item."""
    fee = int((Decimal(area_cm2) * schedule["rate_fen"] / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    lines = [(PROPERTY_FEE, fee)] if fee else []
    return lines + [(name, amount) for name, amount in schedule["item_list"]]


# Bills ----------------------------------------------------------------------------------


def _household(unit_id: int) -> str:
    return f"household:{unit_id}"


def _income(compound_id: int) -> str:
    return f"income:{compound_id}"


def _received(method: str, compound_id: int) -> str:
    return f"received:{method}:{compound_id}"


async def _accounts(scope: TenantScope, compound_id: int, unit_id: int, method: str | None = None) -> None:
    await ledger.open(scope, _household(unit_id), kind="household", may_go_negative=True)
    await ledger.open(scope, _income(compound_id), kind="income")
    if method:
        await ledger.open(scope, _received(method, compound_id), kind="clearing", may_go_negative=True)


async def issue_bills(scope: TenantScope, period: str | None = None, *, compound_id: int | None = None) -> int:
    """Each unit's bill for the month (this month by default) in every compound with a fee
    schedule (or in one); a unit that has its bill is left alone, so running this twice, or
    twice at once, gives one bill per unit and month. Returns how many bills were made."""
    period = period or period_of(now())
    schedules = await scope.select(FeeSchedule, FeeSchedule.compound)
    made = 0
    for row in schedules:
        if compound_id is not None and row["compound"] != compound_id:
            continue
        schedule = await schedule_of(scope, row["compound"])
        units = await scope.select(Unit, Unit.id, Unit.area_cm2).where(Unit.compound == row["compound"])
        billed = {r["unit"] for r in await scope.select(Bill, Bill.unit).where(
            Bill.compound == row["compound"], Bill.period == period)}
        for unit in units:
            if unit["id"] in billed:
                continue
            made += await _bill(scope, row["compound"], unit, schedule, period)
    return made


async def _bill(scope: TenantScope, compound_id: int, unit: dict[str, Any], schedule: dict[str, Any],
                period: str) -> int:
    lines = bill_lines(schedule, unit["area_cm2"])
    amount = sum(amount for _name, amount in lines)
    if amount <= 0:
        return 0
    issued = now()
    await _accounts(scope, compound_id, unit["id"])
    try:
        async with scope.transaction(write=True):
            if await scope.exists(Bill).where(Bill.unit == unit["id"], Bill.period == period):
                return 0
            bill = await scope.create(Bill, compound=compound_id, unit=unit["id"], period=period, amount_fen=amount,
                                      lines=json.dumps(lines, ensure_ascii=False), issued_at=issued,
                                      due_at=issued + timedelta(days=schedule["due_days"]))
            await ledger.transfer(scope, key=f"bill:{unit['id']}:{period}", source=_household(unit["id"]),
                                  target=_income(compound_id), amount=amount, kind="bill", reference=f"bill:{bill.id}",
                                  memo=period)
    except Exception:
        # Another run billed the unit at the same moment (the unique index kept one): nothing
        # of this attempt was written.
        if await scope.exists(Bill).where(Bill.unit == unit["id"], Bill.period == period):
            return 0
        raise
    return 1


async def bill(scope: TenantScope, bill_id: int) -> dict[str, Any]:
    """A bill with what it is made of, what was paid or reduced, and what it still needs."""
    row = await scope.select(Bill).where(Bill.id == bill_id).first()
    if row is None:
        raise NotFound()
    return (await _with_state(scope, [row]))[0]


async def _with_state(scope: TenantScope, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    moved = await ledger.history(scope, references=[f"bill:{row['id']}" for row in rows])
    settled: dict[str, int] = {}
    for transfer in moved:
        if transfer.kind != "bill":
            settled[transfer.reference] = settled.get(transfer.reference, 0) + transfer.amount
    units = {r["id"]: r for r in await scope.select(Unit, Unit.id, Unit.number, Unit.building.name).where(
        Unit.id.is_in(sorted({row["unit"] for row in rows}) or [0]))}
    moment = now()
    result = []
    for row in rows:
        owed = row["amount_fen"] - settled.get(f"bill:{row['id']}", 0)
        unit = units.get(row["unit"], {})
        lines = [(Message("Property fee") if name == PROPERTY_FEE else name, yuan(amount))
                 for name, amount in json.loads(row["lines"])]
        result.append({**row, "lines": lines, "owed_fen": owed,
                       "owed": yuan(owed), "amount": yuan(row["amount_fen"]), "paid": owed <= 0,
                       "overdue": owed > 0 and row["due_at"] <= moment,
                       "unit_label": f"{unit.get('building.name', '')} {unit.get('number', '')}".strip()})
    return result


async def bills_of_units(scope: TenantScope, unit_ids: list[int]) -> list[dict[str, Any]]:
    """The bills of some units, newest first."""
    if not unit_ids:
        return []
    rows = await scope.select(Bill).where(Bill.unit.is_in(unit_ids)).order_by(Bill.period, ascending=False).order_by(
        Bill.unit)
    return await _with_state(scope, rows)


async def bills_of_compound(scope: TenantScope, compound_id: int, period: str | None = None) -> list[dict[str, Any]]:
    query = scope.select(Bill).where(Bill.compound == compound_id)
    if period:
        query = query.where(Bill.period == period)
    return await _with_state(scope, await query.order_by(Bill.period, ascending=False).order_by(Bill.unit))


# Payments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    payment_id: int
    replayed: bool


async def pay(scope: TenantScope, bill_row: dict[str, Any], amount: int, method: str, *, key: str,
               reference: str = "", note: str = "", actor_id: int | None = None, may_exceed: bool = False) -> Recorded:
    """One payment of a bill (with its receipt) and its transfer, atomically; the same key
    again is the same payment. A payment larger than what the bill still needs is refused,
    except from a provider (the money has moved: the rest stays to the household's credit)."""
    compound_id, unit_id = bill_row["compound"], bill_row["unit"]
    account_method = method.replace(":", "_")
    await _accounts(scope, compound_id, unit_id, account_method)
    async with scope.transaction(write=True):
        earlier = await scope.select(Payment, Payment.id).where(Payment.ledger_key == key).first()
        if earlier:
            return Recorded(earlier["id"], True)
        await ledger.hold(scope, _household(unit_id))
        owed = bill_row["amount_fen"] - sum(t.amount for t in await ledger.history(
            scope, reference=f"bill:{bill_row['id']}") if t.kind != "bill")
        if owed <= 0 and not may_exceed:
            raise Conflict(Message("This bill is paid."))
        if amount > owed and not may_exceed:
            raise ValidationFailed({"amount": Message("The bill needs %(owed)s yuan; a payment cannot be larger.",
                                                      {"owed": yuan(owed)})})
        moment = now()
        payment = await scope.create(Payment, bill=bill_row["id"], unit=unit_id, amount_fen=amount, method=method,
                                     reference=reference, note=note, ledger_key=key, recorded_by=actor_id,
                                     paid_at=moment)
        receipt = f"{moment.astimezone(CHINA):%Y%m%d}-{payment.id:06d}"
        await scope.update(Payment, {Payment.receipt_no: receipt}).where(Payment.id == payment.id)
        await ledger.transfer(scope, key=key, source=_received(account_method, compound_id),
                              target=_household(unit_id), amount=amount, kind="payment",
                              reference=f"bill:{bill_row['id']}", memo=receipt, actor_id=actor_id)
        await plugin.audit(scope, "payment_recorded", actor_id=actor_id, target=f"red_property_bill:{bill_row['id']}",
                           amount_fen=amount, method=method)
    return Recorded(payment.id, False)


async def record_payment(scope: TenantScope, actor_id: int, bill_id: int, data: dict[str, str]) -> Recorded:
    """A payment staff received (cash, or a bank transfer with its number), from a form whose
    ``idempotency_key`` makes sending it twice one payment."""
    found = await bill(scope, bill_id)
    form = Form(data)
    amount = form.field("amount", fen, largest=LARGEST_PAYMENT_FEN, allow_zero=False)
    method = data.get("method", "")
    if method not in METHODS:
        form.error("method", Message("Choose how it was paid."))
    reference = form.field("reference", clean_text, max_length=80, required=method == "bank")
    note = form.field("note", clean_text, max_length=500, required=False, multiline=True)
    if form.errors and found["paid"]:  # the page no longer shows the form: say why, not which field is wrong
        raise Conflict(Message("This bill is paid."))
    form.raise_if_invalid()
    key = (data.get("idempotency_key") or "").strip()[:80] or secrets.token_hex(16)
    return await pay(scope, found, amount, method, key=f"payment:form:{key}", reference=reference, note=note,
                      actor_id=actor_id)


async def reduce(scope: TenantScope, actor_id: int, bill_id: int, data: dict[str, str]) -> None:
    """A reduction (减免, ``reduction`` in 元) of a bill, with its reason: a transfer back from the compound's
    income, never more than the bill still needs; Conflict once the bill is paid."""
    found = await bill(scope, bill_id)
    if found["paid"]:  # checked before the fields: the page no longer shows the form
        raise Conflict(Message("This bill is paid."))
    form = Form(data)
    amount = form.field("reduction", fen, largest=LARGEST_PAYMENT_FEN, allow_zero=False)
    reason = form.field("reason", clean_text, max_length=500, multiline=True)
    form.raise_if_invalid()
    key = (data.get("idempotency_key") or "").strip()[:80] or secrets.token_hex(16)
    async with scope.transaction(write=True):
        await ledger.hold(scope, _household(found["unit"]))
        current = await bill(scope, bill_id)
        if amount > current["owed_fen"]:
            raise ValidationFailed({"reduction": Message("The bill needs %(owed)s yuan; a reduction cannot be larger.",
                                                      {"owed": current["owed"]})})
        await ledger.transfer(scope, key=f"reduction:{key}", source=_income(found["compound"]),
                              target=_household(found["unit"]), amount=amount, kind="reduction",
                              reference=f"bill:{bill_id}", memo=reason, actor_id=actor_id)
        await plugin.audit(scope, "bill_reduced", actor_id=actor_id, target=f"red_property_bill:{bill_id}",
                           amount_fen=amount)


async def payments_of_bills(scope: TenantScope, bill_ids: list[int]) -> list[dict[str, Any]]:
    if not bill_ids:
        return []
    rows = await scope.select(Payment).where(Payment.bill.is_in(bill_ids)).order_by(Payment.id)
    return [{**row, "amount": yuan(row["amount_fen"])} for row in rows]


async def receipt(scope: TenantScope, payment_id: int) -> dict[str, Any]:
    """A payment's receipt: the payment, its bill, the unit and the compound."""
    row = await scope.select(Payment).where(Payment.id == payment_id).first()
    if row is None:
        raise NotFound()
    the_bill = await bill(scope, row["bill"])
    compound = await scope.get(Compound, the_bill["compound"])
    return {**row, "amount": yuan(row["amount_fen"]), "bill": the_bill, "compound_name": compound.name if compound
            else "", "paid_local": row["paid_at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M")}


# Arrears --------------------------------------------------------------------------------


async def arrears(scope: TenantScope, compound_id: int) -> dict[str, Any]:
    """What the compound's households owe: each household that owes (with how much is past
    due), and the totals."""
    rows = await bills_of_compound(scope, compound_id)
    households: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["owed_fen"] <= 0:
            continue
        entry = households.setdefault(row["unit"], {"unit": row["unit"], "unit_label": row["unit_label"],
                                                    "owed_fen": 0, "overdue_fen": 0, "bills": 0})
        entry["owed_fen"] += row["owed_fen"]
        entry["bills"] += 1
        if row["overdue"]:
            entry["overdue_fen"] += row["owed_fen"]
    listed = sorted(households.values(), key=lambda h: (-h["overdue_fen"], -h["owed_fen"]))
    for entry in listed:
        entry["owed"], entry["overdue"] = yuan(entry["owed_fen"]), yuan(entry["overdue_fen"])
    total = sum(h["owed_fen"] for h in listed)
    overdue = sum(h["overdue_fen"] for h in listed)
    return {"households": listed, "owed": yuan(total), "overdue": yuan(overdue), "owing": len(listed),
            "owed_fen": total, "overdue_fen": overdue}


async def check(scope: TenantScope) -> list[str]:
    """What is wrong with the district's fee ledger (nothing: an empty list)."""
    return await ledger.check(scope)
