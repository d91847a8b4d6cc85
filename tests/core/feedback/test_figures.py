"""The loop's figures over a period, worked out by hand for a crafted set of items: the
district, each community, category, department and external organisation; the on-time rule
(accepted and resolved by the deadlines, never escalated; open past a deadline is late,
rejected is left out); private categories counted but never named; the console page, its CSV
and its checks. The same items give the same numbers on SQLite and PostgreSQL."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from core import clock
from core.config import Settings
from core.feedback import registry, statistics, workflow
from core.feedback.tables import FeedbackItem
from tenants.tables import Community, Department

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
ENGLISH = {"Accept": "text/html", "Accept-Language": "en"}
SETTINGS = Settings.from_env()
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
FIRM = registry.PartyType("test_property_firm", "Property firm", plugin="test")


@pytest.fixture
def firm():
    """An external organisation's party type, as a plugin registers one."""
    registry.register_party_type(FIRM)
    yield FIRM
    registry.PARTY_TYPES.pop(FIRM.name, None)


async def _revision(scope, item_id):
    return (await scope.get(FeedbackItem, item_id)).revision


async def _at(hours: float):
    clock.set_now(T0 + timedelta(hours=hours), frozen=True)


@pytest.fixture
async def crafted(place, submit, firm):
    """Eight items, all raised at T0 but one (in October), each taken to its end before the next:

    1 sanitation: accepted at 2 h, resolved at 10 h, rated 5 — on time
    2 sanitation: accepted at 30 h (its 24 h had passed), resolved at 40 h, rated 3 — late
    3 facilities: accepted at 1 h, assigned to a department, resolved at 50 h, rated 4 — on time
    5 sanitation: rejected at 3 h — left out of the on-time rate
    6 private (family): accepted at 5 h, resolved at 20 h, reopened at 21 h, resolved at 22 h, rated 4
    7 sanitation raised in October, resolved — outside the period
    8 sanitation: escalated at 25 h, accepted at 26 h, resolved at 30 h — late (escalated)
    4 facilities: accepted at 1 h, assigned to a property firm, never resolved — late at 200 h
    and the clock stops at 200 h."""
    scope, worker, resident = place["scope"], place["grid_worker"].id, place["resident"].id
    cats = place["categories"]
    department = await scope.create(Department, name="城市管理局")

    async def accept(item, hours):
        await _at(hours)
        await workflow.accept(scope, "qindu", item.id, actor_id=worker, revision=await _revision(scope, item.id))

    async def resolve(item, hours):
        await _at(hours)
        await workflow.resolve(scope, "qindu", item.id, actor_id=worker, revision=await _revision(scope, item.id),
                               what_was_done="已处理。", settings=SETTINGS)

    async def rate(item, stars):
        await workflow.rate(scope, "qindu", item.id, person_id=resident, rating=str(stars), settings=SETTINGS)

    async def assign(item, party_type, party_id):
        await workflow.assign(scope, "qindu", item.id, actor_id=worker, revision=await _revision(scope, item.id),
                              party_type=party_type, party_id=party_id, settings=SETTINGS)

    items = {}
    await _at(0)
    items[1], _ = await submit("key-fig-0001")
    await accept(items[1], 2)
    await resolve(items[1], 10)
    await rate(items[1], 5)

    await _at(0)
    items[2], _ = await submit("key-fig-0002")
    await accept(items[2], 30)
    await resolve(items[2], 40)
    await rate(items[2], 3)

    await _at(0)
    items[3], _ = await submit("key-fig-0003", category=str(cats["facilities"].id))
    await accept(items[3], 1)
    await assign(items[3], "department", department.id)
    await resolve(items[3], 50)
    await rate(items[3], 4)

    await _at(0)
    items[5], _ = await submit("key-fig-0005")
    await _at(3)
    await workflow.reject(scope, "qindu", items[5].id, actor_id=worker, revision=1, reason="不属于受理范围",
                          settings=SETTINGS)

    await _at(0)
    items[6], _ = await submit("key-fig-0006", category=str(cats["family"].id), description="家里有困难。")
    await accept(items[6], 5)
    await resolve(items[6], 20)
    await _at(21)
    await workflow.reopen(scope, "qindu", items[6].id, person_id=resident, reason="没解决", settings=SETTINGS)
    await resolve(items[6], 22)
    await rate(items[6], 4)

    clock.set_now(datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc), frozen=True)
    items[7], _ = await submit("key-fig-0007")
    await workflow.accept(scope, "qindu", items[7].id, actor_id=worker, revision=1)
    await workflow.resolve(scope, "qindu", items[7].id, actor_id=worker, revision=2, what_was_done="已处理。",
                           settings=SETTINGS)

    await _at(0)
    items[8], _ = await submit("key-fig-0008")
    await _at(25)
    assert await workflow.escalate_overdue(scope, "qindu") == 1
    await accept(items[8], 26)
    await resolve(items[8], 30)

    await _at(0)
    items[4], _ = await submit("key-fig-0004", category=str(cats["facilities"].id))
    await accept(items[4], 1)
    await assign(items[4], FIRM.name, 7)

    await _at(200)
    return {**place, "items": items, "department": department}


async def _report(place, **kwargs):
    return await statistics.report(place["scope"], statistics.clean_period(NOVEMBER), **kwargs)


def _numbers(f):
    return {"received": f.received, "resolved": f.resolved, "accept": (f.accept_median, f.accept_p90),
            "resolve": (f.resolve_median, f.resolve_p90), "on_time": (f.on_time, f.decided),
            "satisfaction": (f.satisfaction, f.satisfied_share), "reopen_rate": f.reopen_rate}


async def test_the_district_s_figures(crafted):
    district = (await _report(crafted)).district
    assert _numbers(district) == {
        "received": 7, "resolved": 5,
        "accept": (pytest.approx(3.5), pytest.approx(28.0)),  # 1 1 2 5 26 30 hours
        "resolve": (pytest.approx(30.0), pytest.approx(46.0)),  # 10 22 30 40 50 hours
        "on_time": (3, 6),  # 1, 3 and 6 in time; 2 (late to accept), 8 (escalated), 4 (open, late) not; 5 rejected
        "satisfaction": (pytest.approx(4.0), pytest.approx(0.75)),  # 5 3 4 4
        "reopen_rate": pytest.approx(0.2)}
    assert district.on_time_rate == pytest.approx(0.5)


async def test_the_figures_per_category_community_and_party(crafted):
    report = await _report(crafted)
    categories = {f.key: f for f in report.categories}
    sanitation = categories[str(crafted["categories"]["sanitation"].id)]
    assert _numbers(sanitation) == {
        "received": 4, "resolved": 3, "accept": (pytest.approx(26.0), pytest.approx(29.2)),
        "resolve": (pytest.approx(30.0), pytest.approx(38.0)), "on_time": (1, 3),
        "satisfaction": (pytest.approx(4.0), pytest.approx(0.5)), "reopen_rate": 0.0}
    facilities = categories[str(crafted["categories"]["facilities"].id)]
    assert (facilities.received, facilities.on_time, facilities.decided, facilities.resolve_median) == (2, 1, 2, 50.0)
    private = categories[statistics.PRIVATE]  # one row for every private category, never named
    assert (private.received, private.on_time_rate, private.reopen_rate, private.satisfaction) == (1, 1.0, 1.0, 4.0)
    assert "家庭困难求助" not in [f.label for f in report.categories]
    assert [f.key for f in report.categories] == [sanitation.key, facilities.key, statistics.PRIVATE]

    assert [(f.label, f.received, f.decided) for f in report.communities] == [("北大街社区", 7, 6)]

    parties = {f.key: f for f in report.parties}  # departments and external organisations, not units
    assert set(parties) == {f"department:{crafted['department'].id}", f"{FIRM.name}:7"}
    department = parties[f"department:{crafted['department'].id}"]
    assert (department.label, department.received, department.on_time_rate, department.resolve_median) == (
        "城市管理局", 1, 1.0, 50.0)
    firm = parties[f"{FIRM.name}:7"]
    assert firm.label.endswith("#7") and (firm.received, firm.resolved, firm.on_time_rate) == (1, 0, 0.0)
    assert (firm.resolve_median, firm.satisfaction, firm.reopen_rate) == (None, None, None)


async def test_an_open_item_counts_only_once_its_deadline_has_passed(crafted):
    clock.set_now(T0 + timedelta(hours=100), frozen=True)  # item 4's 120 hours have not yet passed
    district = (await _report(crafted)).district
    assert (district.on_time, district.decided) == (3, 5)


async def test_the_public_figures_leave_out_private_categories_and_breakdowns(crafted):
    report = await _report(crafted, public=True)
    assert report.district.received == 7  # private items are counted in the district's totals
    assert [f.received for f in report.categories] == [4, 2] and statistics.PRIVATE not in [
        f.key for f in report.categories]
    assert (report.communities, report.parties) == ([], [])


async def test_the_period_is_a_range_of_days_in_beijing(crafted):
    scope = crafted["scope"]
    one_day = await statistics.report(scope, statistics.clean_period({"from": "2026-11-02", "to": "2026-11-02"}))
    assert one_day.district.received == 7
    october = await statistics.report(scope, statistics.clean_period({"from": "2026-10-01", "to": "2026-10-31"}))
    assert (october.district.received, october.district.resolved) == (1, 1)
    the_day_before = await statistics.report(scope, statistics.clean_period({"to": "2026-11-01"}))
    assert the_day_before.district.received == 1  # the 90 days before: only October's item


async def test_the_console_page_and_csv(client, crafted, sign_in):
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/feedback/figures", params=NOVEMBER, headers=PAGE)
    assert page.status_code == 200
    assert "城市管理局" in page.text and "北大街社区" in page.text and "50%" in page.text
    assert "家庭困难求助" not in page.text and "私密类别" in page.text
    response = await client.get("/t/qindu/console/feedback/figures.csv", params=NOVEMBER, headers=PAGE)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "2026-11-01-2026-11-30" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert (header[0], header[2]) == ("分组", "收到")  # translated
    assert len(body) == 1 + 1 + 3 + 2  # district, community, three category rows, two parties
    district = body[0]
    assert district[2:] == ["7", "5", "3.5", "28.0", "30.0", "46.0", "50.0", "4.0", "75.0", "20.0"]
    by_name = {row[1]: row for row in body}
    assert by_name["城市管理局"][2] == "1" and by_name["私密类别"][2] == "1"
    assert "家庭困难求助" not in response.text and "家里有困难" not in response.text


async def test_csv_cells_that_would_be_formulas_are_quoted(client, place, submit, sign_in):
    scope = place["scope"]
    await scope.update(Community, {Community.name: '=HYPERLINK("http://example.invalid")'}).where(
        Community.id == place["community"].id)
    await submit("key-fig-0101")
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    response = await client.get("/t/qindu/console/feedback/figures.csv", headers=PAGE)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://example.invalid\")" in names
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


@pytest.mark.parametrize("query, field, message", [
    ({"from": "2026-02-30"}, "from", "Enter a date like 2026-11-28."),
    ({"from": "20261101"}, "from", "Enter a date like 2026-11-28."),
    ({"from": "2026-11-20", "to": "2026-11-01"}, "to", "The end cannot be before the start."),
    ({"from": "2099-01-01"}, "from", "The start cannot be after today."),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "from", "Choose a period of at most 366 days."),
])
async def test_a_bad_period_is_422_with_its_message(client, place, sign_in, query, field, message):
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/feedback/figures", params=query, headers=ENGLISH)
    assert page.status_code == 422
    assert f'id="e-{field}"' in page.text and message in page.text
    assert all(value in page.text for value in query.values())  # what was typed stays in the form
    response = await client.get("/t/qindu/console/feedback/figures.csv", params=query, headers=ENGLISH)
    assert response.status_code == 422 and not response.content.startswith(b"\xef\xbb\xbf")


async def test_only_district_wide_staff_see_the_figures(client, place, sign_in):
    for phone in ("13900000011", "13900000031", "13900000012"):  # community, street, grid
        client.cookies.clear()
        await sign_in(client, phone, login_path="/t/qindu/login")
        for path in ("figures", "figures.csv"):
            response = await client.get(f"/t/qindu/console/feedback/{path}", headers=PAGE)
            assert response.status_code == 403, (phone, path)
    client.cookies.clear()
    await sign_in(client, "13900000021", login_path="/t/qindu/login")  # a resident
    assert (await client.get("/t/qindu/console/feedback/figures", headers=PAGE)).status_code == 403
