"""Overdue disclosures: each community against the catalogue, and the morning reminder."""

from datetime import datetime, timedelta

from core import clock
from core.notices import compliance
from core.notifications import services as notifications


def _cells(report, community):
    row = next(r for r in report if r.community == community)
    return {cell.category: cell.overdue for cell in row.cells}


async def test_each_community_is_checked_against_each_category(district, publish):
    clock.set_now(datetime(2026, 11, 2, 9, 0, tzinfo=clock.CHINA))
    await publish(title="财务公开通知", category="财务公开", audience=f"community:{district['north'].id}")
    await publish(title="居务公开通知", category="居务公开", audience=f"street:{district['street'].id}")
    report = await compliance.compliance(district["scope"])
    assert _cells(report, "北大街社区") == {"党务公开": True, "居务公开": False, "财务公开": False,
                                       "服务公开": False}
    assert _cells(report, "民生路社区") == {"党务公开": True, "居务公开": False, "财务公开": True,
                                       "服务公开": False}
    clock.advance(timedelta(days=32))  # a month later the monthly ones are due again
    report = await compliance.compliance(district["scope"])
    assert _cells(report, "北大街社区")["财务公开"] is True and _cells(report, "北大街社区")["居务公开"] is True


async def test_the_morning_job_reminds_the_responsible_staff(district, jobs, client, sign_in):
    clock.set_now(datetime(2026, 11, 30, 7, 0, tzinfo=clock.CHINA))
    await jobs.run_due()  # the runner learns the schedule
    clock.set_now(datetime(2026, 11, 30, 8, 0, 30, tzinfo=clock.CHINA))
    await jobs.run_due()
    items, _ = await notifications.inbox(district["scope"], district["author"].id)
    titles = [item.title for item in items]
    # 李秀英 is district-wide staff here: she hears of every community's overdue categories.
    assert "北大街社区的财务公开已逾期" in titles and "民生路社区的党务公开已逾期" in titles
    assert "北大街社区的服务公开已逾期" not in titles  # "when it happens" is never overdue
    assert all(item.link == "/t/qindu/console/disclosure" for item in items if "逾期" in item.title)
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/disclosure", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "北大街社区" in page.text and "逾期" in page.text


async def test_the_district_admin_edits_the_catalogue(client, district, sign_in):
    from core.audit.tables import AuditEntry
    from core.notices import catalogue
    from tests.http import csrf_token

    headers = {"Accept-Language": "zh-CN"}
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/disclosure", headers=headers)
    token = csrf_token(page.text)
    added = await client.post("/t/qindu/console/disclosure/categories", headers=headers, data={
        "_csrf_token": token, "name": "物业公开", "scope": "物业服务收费与公共收益", "standard": "每季度公示",
        "frequency": "quarterly", "responsible_role": "staff"})
    assert added.status_code == 303
    names = [c.name for c in await catalogue.categories(district["scope"])]
    assert names[-1] == "物业公开" and len(names) == 5
    duplicate = await client.post("/t/qindu/console/disclosure/categories", headers=headers, data={
        "_csrf_token": token, "name": "财务公开", "scope": "重复", "frequency": "weekly", "responsible_role": "staff"})
    assert duplicate.status_code == 422
    assert "目录中已有同名类别。" in duplicate.text and "请从列表中选择。" in duplicate.text
    assert ">重复</textarea>" in duplicate.text  # what was typed stays
    finance = district["categories"]["财务公开"]
    changed = await client.post(f"/t/qindu/console/disclosure/categories/{finance.id}", headers=headers, data={
        "_csrf_token": token, "name": "财务公开", "scope": "社区收支", "standard": "", "frequency": "quarterly",
        "responsible_role": "district_admin"})
    assert changed.status_code == 303
    row = next(c for c in await catalogue.categories(district["scope"]) if c.id == finance.id)
    assert (row.frequency, row.responsible_role, row.scope) == ("quarterly", "district_admin", "社区收支")
    assert await AuditEntry.count().where(AuditEntry.action.like("disclosure.%")) == 2
    client.cookies.clear()
    await sign_in(client, "13900000011", login_path="/t/qindu/login")  # staff see it, cannot change it
    page = await client.get("/t/qindu/console/disclosure", headers=headers)
    assert page.status_code == 200 and "新增类别" not in page.text
    refused = await client.post("/t/qindu/console/disclosure/categories", headers=headers, data={
        "_csrf_token": csrf_token(page.text), "name": "x", "frequency": "monthly", "responsible_role": "staff"})
    assert refused.status_code == 403
