"""Repairs, emergencies and complaints: routed to the firm serving the owner's compound, the
firm's staff told (of an emergency urgently), working them through the feedback loop on the
plugin's pages; escalation climbs to the community."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.accounts import services as accounts
from core.feedback.tables import FeedbackItem
from core.notifications.tables import InboxEntry
from plugins.red_property import firms, repairs
from tests.http import csrf_token, http_client
from tests.plugins.red_property.conftest import BASE

EN = {"accept-language": "en"}


async def _report(district, owner, kind="red_property_repair", text="厨房水管漏水，楼下天花板在滴水"):
    [home] = [h for h in await __import__("plugins.red_property.estates", fromlist=["homes_of"]).homes_of(
        district, owner.id) if h["number"] == "1-201"] or [None]
    return await repairs.report(district, "qindu", owner.id, {"kind": kind, "unit": str(home["unit"]),
                                                              "description": text})


async def test_a_repair_goes_to_the_firm_serving_the_compound_and_its_staff_are_told(district, compound, owners, firm,
                                                                                    jobs):
    the_firm, staff = firm
    item_id = await _report(district, owners["张伟"])
    item = await district.get(FeedbackItem, item_id)
    assert (item.party_type, item.party_id) == ("red_property_firm", the_firm.id)
    assert item.resolve_due - item.created_at == timedelta(hours=72)
    await jobs.run_due()
    told = await district.select(InboxEntry, InboxEntry.notification.kind, InboxEntry.notification.urgent).where(
        InboxEntry.person == staff.id)
    assert [(row["notification.kind"], row["notification.urgent"]) for row in told] == [
        ("red_property.new_item", False)]


async def test_an_emergency_has_hours_and_tells_the_staff_urgently(district, compound, owners, firm, jobs):
    _the_firm, staff = firm
    item_id = await _report(district, owners["张伟"], kind="red_property_emergency", text="电梯困人，2号电梯停在5楼")
    item = await district.get(FeedbackItem, item_id)
    assert item.accept_due - item.created_at == timedelta(hours=1)
    await jobs.run_due()
    told = await district.select(InboxEntry, InboxEntry.notification.kind, InboxEntry.notification.urgent).where(
        InboxEntry.person == staff.id)
    assert [(row["notification.kind"], row["notification.urgent"]) for row in told] == [
        ("red_property.emergency", True)]
    assert (await repairs.queue(district, _the_firm.id))[0]["emergency"] is True


async def test_without_a_firm_the_community_has_it(district, compound, community, owners):
    item = await district.get(FeedbackItem, await _report(district, owners["张伟"]))
    assert (item.party_type, item.party_id) == ("community", community.id)


async def test_an_overdue_repair_climbs_to_the_community(district, compound, community, owners, firm):
    from core.feedback import workflow

    item_id = await _report(district, owners["张伟"])
    clock.set_now(clock.now() + timedelta(hours=5))
    try:
        assert await workflow.escalate_overdue(district, "qindu") == 1
    finally:
        clock.reset()
    item = await district.get(FeedbackItem, item_id)
    assert (item.party_type, item.party_id) == ("community", community.id)


async def test_the_firms_staff_take_it_up_and_resolve_it_on_their_pages(app, district, compound, owners, firm,
                                                                        sign_in):
    the_firm, staff = firm
    item_id = await _report(district, owners["张伟"])
    async with http_client(app) as client:
        await sign_in(client, staff.phone, login_path="/t/qindu/login")
        queue = await client.get(f"{BASE}/firm/", headers=EN)
        assert queue.status_code == 200 and f"item-{item_id}" in queue.text
        page = await client.get(f"{BASE}/firm/items/{item_id}", headers=EN)
        assert "厨房水管漏水" in page.text
        token = csrf_token(page.text)
        accepted = await client.post(f"{BASE}/firm/items/{item_id}/accept", data={"_csrf_token": token})
        assert accepted.status_code == 303
        empty = await client.post(f"{BASE}/firm/items/{item_id}/resolve", data={"_csrf_token": token, "note": ""},
                                  headers=EN)
        assert empty.status_code == 422 and 'id="e-note"' in empty.text
        done = await client.post(f"{BASE}/firm/items/{item_id}/resolve",
                                 data={"_csrf_token": token, "note": "已更换水管接头"})
        assert done.status_code == 303
    item = await district.get(FeedbackItem, item_id)
    assert item.state == "resolved" and item.resolved_at is not None


async def test_another_firms_staff_and_residents_cannot_reach_the_firms_items(app, district, compound, owners, firm,
                                                                              manager, make_person, sign_in):
    item_id = await _report(district, owners["张伟"])
    other = await firms.add(district, manager.id, {"firm_name": "别家物业", "credit_code": "91610404MA6XY56780"})
    rival = await make_person("别家员工", "13800000282")
    await accounts.add_membership(district, rival.id, [firms.FIRM_STAFF], "red_property_firm", other.id)
    async with http_client(app) as client:
        await sign_in(client, rival.phone, login_path="/t/qindu/login")
        assert (await client.get(f"{BASE}/firm/items/{item_id}")).status_code == 404
        assert f"item-{item_id}" not in (await client.get(f"{BASE}/firm/")).text
    async with http_client(app) as client:
        await sign_in(client, owners["王芳"].phone, login_path="/t/qindu/login")
        assert (await client.get(f"{BASE}/firm/")).status_code == 403


async def test_an_owner_reports_on_the_page_and_follows_it_in_the_loop(app, district, compound, owners, firm,
                                                                       sign_in):
    async with http_client(app) as client:
        await sign_in(client, owners["张伟"].phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/repairs/new", headers=EN)
        assert page.status_code == 200 and "1-201" in page.text
        bad = await client.post(f"{BASE}/repairs/new", headers=EN, data={
            "_csrf_token": csrf_token(page.text), "kind": "red_property_repair", "unit": "", "description": "漏水"})
        assert bad.status_code == 422 and 'id="e-unit"' in bad.text and "漏水" in bad.text
        unit = page.text.split('<option value="', 2)[2].split('"', 1)[0]
        sent = await client.post(f"{BASE}/repairs/new", data={
            "_csrf_token": csrf_token(page.text), "kind": "red_property_repair", "unit": unit,
            "description": "楼道灯坏了", "idempotency_key": "report-form-key-1"})
        assert sent.status_code == 303 and sent.headers["location"].startswith("/t/qindu/feedback/")
        item = await client.get(sent.headers["location"])
        assert item.status_code == 200 and "楼道灯坏了" in item.text
