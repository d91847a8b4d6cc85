"""Fees: a compound's schedule, monthly bills made once per unit and month (by the job on the
first, or by staff), payments and reductions that never exceed what a bill needs, receipts,
arrears, online payment through the development provider, and a ledger that always balances."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from core import clock
from core.errors import Conflict, ValidationFailed
from core.plugins import enablement
from plugins.red_property import estates, fees, payments
from plugins.red_property.tables import Bill, Payment, PaymentOrder, Transfer
from tests.http import csrf_token, http_client
from tests.plugins.red_property.conftest import BASE

CHINA = clock.CHINA
EN = {"accept-language": "en"}
SCHEDULE = {"rate": "1.80", "items": "垃圾清运费 10\n公共照明 2.50", "due_days": "20"}


@pytest.fixture
async def schedule(district, compound, manager):
    await fees.set_schedule(district, manager.id, compound.id, SCHEDULE)
    return compound


async def _unit(district, compound, number):
    return next(u for u in await estates.units_of(district, compound.id) if u["number"] == number)


async def _bill_of(district, compound, number, period=None):
    unit = await _unit(district, compound, number)
    rows = await district.select(Bill).where(Bill.unit == unit["id"])
    [row] = [r for r in rows if period is None or r["period"] == period]
    return await fees.bill(district, row["id"])


# Money and schedules ---------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "fen"), [("1.80", 180), ("１.８", 180), ("200", 20000), ("¥0.05", 5), ("3元", 300)])
def test_amounts_are_read_as_people_write_them(typed, fen):
    assert fees.fen(typed, largest=10**9) == fen


@pytest.mark.parametrize("typed", ["-1.80", "1.805", "abc", "", "1e3", "1,000"])
def test_bad_amounts_are_refused(typed):
    with pytest.raises(Exception) as raised:
        fees.fen(typed, largest=10**9)
    assert type(raised.value).__name__ == "FieldError"


async def test_a_negative_rate_or_a_bad_item_line_is_refused_with_nothing_saved(district, compound, manager):
    with pytest.raises(ValidationFailed) as refused:
        await fees.set_schedule(district, manager.id, compound.id, {"rate": "-1.5", "items": "电梯费\n水费 x",
                                                                   "due_days": "0"})
    assert set(refused.value.errors) == {"rate", "items", "due_days"}
    assert await fees.schedule_of(district, compound.id) is None


async def test_a_bill_is_the_area_times_the_rate_to_the_fen_and_each_item(district, schedule):
    assert await fees.issue_bills(district, "2026-12") == 7
    bill = await _bill_of(district, schedule, "1-101")
    # 89.57 m² × 1.80 = 161.226 → 161.23, then 10.00 and 2.50.
    assert bill["amount_fen"] == 16123 + 1000 + 250
    assert [amount for _name, amount in bill["lines"]] == ["161.23", "10.00", "2.50"]
    assert bill["due_at"] - bill["issued_at"] == timedelta(days=20)
    assert (bill["owed_fen"], bill["paid"]) == (bill["amount_fen"], False)
    assert await fees.check(district) == []


async def test_bills_are_made_once_per_unit_and_month_even_twice_at_once(district, schedule):
    made = await asyncio.gather(fees.issue_bills(district, "2026-12"), fees.issue_bills(district, "2026-12"))
    assert sum(made) == 7
    assert await fees.issue_bills(district, "2026-12") == 0
    assert await district.count(Bill).where(Bill.period == "2026-12") == 7
    assert await district.count(Transfer).where(Transfer.kind == "bill") == 7
    assert await fees.check(district) == []


async def test_the_monthly_job_bills_on_the_first_and_a_second_run_makes_nothing(district, schedule, jobs):
    clock.set_now(datetime(2026, 12, 31, 23, 0, tzinfo=CHINA), frozen=True)
    try:
        await jobs.run_due()
        assert await district.count(Bill) == 0
        clock.advance(timedelta(hours=1, minutes=10))
        await jobs.run_due()
        assert await district.count(Bill).where(Bill.period == "2027-01") == 7
        await jobs.run_due()
        assert await district.count(Bill) == 7
    finally:
        clock.reset()


# Payments, reductions, receipts, arrears -------------------------------------------------------


async def test_staff_record_a_payment_once_per_form_and_never_more_than_the_bill(district, schedule, manager):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "1-201")  # 90 m²: 162.00 + 12.50
    assert bill["amount"] == "174.50"
    with pytest.raises(ValidationFailed) as refused:
        await fees.record_payment(district, manager.id, bill["id"], {"amount": "174.51", "method": "cash",
                                                                     "idempotency_key": "k1"})
    assert "amount" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        await fees.record_payment(district, manager.id, bill["id"], {"amount": "10", "method": "bank",
                                                                     "idempotency_key": "k1"})
    assert "reference" in refused.value.errors
    assert await district.count(Payment) == 0
    first = await fees.record_payment(district, manager.id, bill["id"], {"amount": "100", "method": "cash",
                                                                         "idempotency_key": "k1"})
    again = await fees.record_payment(district, manager.id, bill["id"], {"amount": "100", "method": "cash",
                                                                         "idempotency_key": "k1"})
    assert again.replayed and again.payment_id == first.payment_id
    assert (await fees.bill(district, bill["id"]))["owed"] == "74.50"
    await fees.record_payment(district, manager.id, bill["id"], {"amount": "74.50", "method": "bank",
                                                                 "reference": "BOC20261203001", "idempotency_key": "k2"})
    done = await fees.bill(district, bill["id"])
    assert (done["owed_fen"], done["paid"]) == (0, True)
    with pytest.raises(Conflict):
        await fees.record_payment(district, manager.id, bill["id"], {"amount": "1", "method": "cash",
                                                                     "idempotency_key": "k3"})
    receipt = await fees.receipt(district, first.payment_id)
    assert receipt["receipt_no"].endswith(f"-{first.payment_id:06d}") and receipt["amount"] == "100.00"
    assert await fees.ledger.balance(district, f"household:{bill['unit']}") == 0
    assert await fees.check(district) == []


async def test_concurrent_payments_of_one_bill_never_pay_it_twice(district, schedule, manager):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "1-201")

    async def pay(n):
        try:
            await fees.record_payment(district, manager.id, bill["id"], {"amount": "174.50", "method": "cash",
                                                                         "idempotency_key": f"desk-{n}"})
            return True
        except (Conflict, ValidationFailed):
            return False

    assert sum(await asyncio.gather(*(pay(n) for n in range(5)))) == 1
    assert await district.count(Payment) == 1
    assert await fees.check(district) == []


async def test_a_reduction_comes_back_from_income_and_never_exceeds_what_is_owed(district, schedule, manager):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "2-101")  # 100 m²: 180.00 + 12.50
    with pytest.raises(ValidationFailed):
        await fees.reduce(district, manager.id, bill["id"], {"reduction": "192.51", "reason": "空置"})
    with pytest.raises(ValidationFailed) as refused:
        await fees.reduce(district, manager.id, bill["id"], {"reduction": "20", "reason": ""})
    assert "reason" in refused.value.errors
    await fees.reduce(district, manager.id, bill["id"], {"reduction": "92.50", "reason": "低保户减半"})
    assert (await fees.bill(district, bill["id"]))["owed"] == "100.00"
    billed = sum(row["amount_fen"] for row in await district.select(Bill, Bill.amount_fen))
    assert await fees.ledger.balance(district, f"income:{schedule.id}") == billed - 9250
    assert await fees.check(district) == []


async def test_arrears_count_what_households_owe_and_what_is_past_due(district, schedule, manager):
    clock.set_now(datetime(2026, 12, 1, 9, 0, tzinfo=CHINA), frozen=True)
    try:
        await fees.issue_bills(district)
        bill = await _bill_of(district, schedule, "1-201")
        await fees.record_payment(district, manager.id, bill["id"], {"amount": "174.50", "method": "cash"})
        owed = await fees.arrears(district, schedule.id)
        assert (owed["owing"], owed["overdue_fen"]) == (6, 0)
        clock.advance(timedelta(days=21))
        owed = await fees.arrears(district, schedule.id)
        assert owed["owing"] == 6 and owed["overdue_fen"] == owed["owed_fen"] > 0
        total = sum(b["amount_fen"] for b in await fees.bills_of_compound(district, schedule.id))
        assert owed["owed_fen"] == total - 17450
    finally:
        clock.reset()


# Paying online ----------------------------------------------------------------------------------


@pytest.fixture
async def online(district, schedule, manager):
    await enablement.save_settings(district, "red_property", {"payment_provider": "dev"}, actor_id=manager.id)
    await fees.issue_bills(district, "2026-12")
    return await _bill_of(district, schedule, "1-201")


async def _order(district, bill, person_id):
    address = await payments.start(district, person_id, bill["id"], base_url=BASE)
    order_no = address.rsplit("/", 1)[1]
    assert address == f"{BASE}/pay/dev-gateway/{order_no}"
    return order_no


async def test_a_notification_from_the_provider_records_one_payment_however_often_it_comes(app, district, online,
                                                                                           owners):
    order_no = await _order(district, online, owners["张伟"].id)
    body, headers = payments.DEVELOPMENT.notification(order_no, online["owed_fen"])
    async with http_client(app) as client:
        forged = await client.post(f"{BASE}/pay/dev/notify", content=body, headers={"x-dev-signature": "0" * 64})
        assert forged.status_code == 400
        assert await district.count(Payment) == 0
        for _ in range(3):
            answer = await client.post(f"{BASE}/pay/dev/notify", content=body, headers=headers)
            assert (answer.status_code, answer.text) == (200, "ok")
        wrong_amount, wrong_headers = payments.DEVELOPMENT.notification(order_no, 1)
        assert (await client.post(f"{BASE}/pay/dev/notify", content=wrong_amount,
                                  headers=wrong_headers)).status_code == 400
        assert (await client.post(f"{BASE}/pay/nobody/notify", content=body, headers=headers)).status_code == 404
    assert await district.count(Payment) == 1
    assert (await fees.bill(district, online["id"]))["paid"]
    order = await payments.order(district, order_no)
    assert order["paid_at"] is not None and order["payment"]
    assert await fees.check(district) == []


async def test_where_no_provider_is_chosen_a_bill_cannot_be_paid_online(district, schedule, owners):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "1-201")
    with pytest.raises(Conflict):
        await payments.start(district, owners["张伟"].id, bill["id"], base_url=BASE)
    assert await district.count(PaymentOrder) == 0


async def test_an_owner_pays_online_through_the_development_gateway(app, district, online, owners, sign_in):
    async with http_client(app) as client:
        await sign_in(client, "13800000203", login_path="/t/qindu/login")
        home = await client.get(f"{BASE}/", headers=EN)
        assert f"{BASE}/bills/{online['id']}" in home.text and "174.50 yuan owed" in home.text
        page = await client.get(f"{BASE}/bills/{online['id']}", headers=EN)
        assert "Pay 174.50 yuan online" in page.text
        started = await client.post(f"{BASE}/bills/{online['id']}/pay", data={"_csrf_token": csrf_token(page.text)})
        assert started.status_code == 303
        gateway = await client.get(started.headers["location"], headers=EN)
        assert "174.50 yuan" in gateway.text
        paid = await client.post(started.headers["location"], data={"_csrf_token": csrf_token(gateway.text)})
        assert paid.headers["location"] == f"{BASE}/bills/{online['id']}"
        # Pressing Pay again (the back button) pays nothing more.
        await client.post(started.headers["location"], data={"_csrf_token": csrf_token(gateway.text)})
        after = await client.get(f"{BASE}/bills/{online['id']}", headers=EN)
        assert "Receipt " in after.text
        [payment] = await district.select(Payment)
        receipt = await client.get(f"{BASE}/receipts/{payment['id']}", headers=EN)
        assert receipt.status_code == 200 and "174.50" in receipt.text
    assert await district.count(Payment) == 1


# Who sees what ----------------------------------------------------------------------------------


async def test_an_owner_sees_only_the_bills_and_receipts_of_their_own_units(app, district, schedule, manager, owners,
                                                                            sign_in):
    await fees.issue_bills(district, "2026-12")
    mine = await _bill_of(district, schedule, "1-201")
    theirs = await _bill_of(district, schedule, "2-101")
    paid = await fees.record_payment(district, manager.id, theirs["id"], {"amount": "1", "method": "cash"})
    async with http_client(app) as client:
        await sign_in(client, "13800000203", login_path="/t/qindu/login")
        assert (await client.get(f"{BASE}/bills/{mine['id']}")).status_code == 200
        assert (await client.get(f"{BASE}/bills/{theirs['id']}")).status_code == 404
        assert (await client.get(f"{BASE}/receipts/{paid.payment_id}")).status_code == 404
        assert (await client.get(f"{BASE}/console/bills/{mine['id']}")).status_code == 403
        page = await client.get(f"{BASE}/bills/{mine['id']}")
        refused = await client.post(f"{BASE}/bills/{theirs['id']}/pay", data={"_csrf_token": csrf_token(page.text)})
        assert refused.status_code == 404


async def test_the_console_keeps_what_was_typed_when_a_payment_is_refused(app, district, schedule, manager, sign_in):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "1-201")
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/console/bills/{bill['id']}", headers=EN)
        assert page.status_code == 200
        refused = await client.post(f"{BASE}/console/bills/{bill['id']}/payments", headers=EN, data={
            "_csrf_token": csrf_token(page.text), "amount": "999", "method": "cash", "note": "多交了",
            "idempotency_key": "form-1"})
        assert refused.status_code == 422
        assert "The bill needs 174.50 yuan; a payment cannot be larger." in refused.text
        assert 'value="999"' in refused.text and "多交了" in refused.text
        recorded = await client.post(f"{BASE}/console/bills/{bill['id']}/payments", data={
            "_csrf_token": csrf_token(page.text), "amount": "174.50", "method": "cash", "idempotency_key": "form-1"})
        assert recorded.status_code == 303 and "/console/receipts/" in recorded.headers["location"]
        fees_page = await client.get(f"{BASE}/console/compounds/{schedule.id}/fees", headers=EN)
        assert "6 households owe" in fees_page.text
        rate = await client.post(f"{BASE}/console/compounds/{schedule.id}/fees", headers=EN, data={
            "_csrf_token": csrf_token(page.text), "rate": "-2", "items": "", "due_days": "30"})
        assert rate.status_code == 422 and 'value="-2"' in rate.text and "An amount cannot be negative." in rate.text
    assert await district.count(Payment) == 1
    assert (await fees.schedule_of(district, schedule.id))["rate_fen"] == 180


async def test_a_refused_reduction_shows_the_bill_again_and_a_paid_bill_takes_neither_form(app, district, schedule,
                                                                                          manager, sign_in):
    await fees.issue_bills(district, "2026-12")
    bill = await _bill_of(district, schedule, "2-101")  # 192.50
    transfers = await district.count(Transfer)
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/console/bills/{bill['id']}", headers=EN)
        token = csrf_token(page.text)
        refused = await client.post(f"{BASE}/console/bills/{bill['id']}/reductions", headers=EN, data={
            "_csrf_token": token, "reduction": "-5", "reason": "<b>空置</b>", "idempotency_key": "reduce-1"})
        assert refused.status_code == 422
        assert 'id="e-reduction" role="alert">An amount cannot be negative.' in refused.text
        assert 'value="-5"' in refused.text and "&lt;b&gt;空置&lt;/b&gt;</textarea>" in refused.text
        assert "<b>空置" not in refused.text and 'value="reduce-1"' in refused.text
        assert await district.count(Transfer) == transfers, "nothing written"
        await fees.record_payment(district, manager.id, bill["id"], {"amount": "192.50", "method": "cash",
                                                                     "idempotency_key": "desk-1"})
        # Paid, the page shows neither form: what is sent is refused because the bill is paid.
        for path, data in (("payments", {"amount": "", "method": "cash", "note": "再交"}),
                           ("reductions", {"reduction": "-5", "reason": "空置"})):
            late = await client.post(f"{BASE}/console/bills/{bill['id']}/{path}", headers=EN, data={
                "_csrf_token": token, "idempotency_key": "late-1", **data})
            assert late.status_code == 409 and "This bill is paid." in late.text, path
            assert 'id="payment-form"' not in late.text and 'id="reduction-form"' not in late.text
    assert await district.count(Payment) == 1 and await district.count(Transfer) == transfers + 1
    assert await fees.check(district) == []
