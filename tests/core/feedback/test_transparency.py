"""Figures of the loop, their CSV, and the public page: exact numbers for a crafted set of
items, private categories never shown, residents' numbers masked."""

from datetime import timedelta

import pytest

from core import clock
from core.config import Settings
from core.errors import ValidationFailed
from core.feedback import statistics, transparency, workflow
from core.feedback.tables import FeedbackItem

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
SETTINGS = Settings.from_env()


async def _resolved(place, submit, key, *, accept_after, resolve_after, rating=None, reopen=False, **fields):
    """An item accepted and resolved the given hours after it was raised, maybe reopened
    (and resolved again at once) and rated."""
    scope, worker, resident = place["scope"], place["grid_worker"].id, place["resident"].id
    item, _ = await submit(key, **fields)
    started = clock.now()
    clock.set_now(started + timedelta(hours=accept_after), frozen=True)
    await workflow.accept(scope, "qindu", item.id, actor_id=worker, revision=1)
    clock.set_now(started + timedelta(hours=resolve_after), frozen=True)
    await workflow.resolve(scope, "qindu", item.id, actor_id=worker, revision=2, what_was_done="已处理。",
                           settings=SETTINGS)
    if reopen:
        await workflow.reopen(scope, "qindu", item.id, person_id=resident, reason="没解决", settings=SETTINGS)
        revision = (await scope.get(FeedbackItem, item.id)).revision
        await workflow.resolve(scope, "qindu", item.id, actor_id=worker, revision=revision,
                               what_was_done="再次处理。", settings=SETTINGS)
    if rating is not None:
        await workflow.rate(scope, "qindu", item.id, person_id=resident, rating=str(rating), settings=SETTINGS)
    clock.set_now(started, frozen=True)
    return item


@pytest.fixture
async def crafted(place, submit):
    """Four items of one day: resolved in 10 h (rated 5), in 30 h (rated 2, reopened), in
    100 h (late: its 72 h passed) and one private item resolved in 20 h (rated 4)."""
    clock.set_now(clock.now().replace(hour=2, minute=0, second=0, microsecond=0), frozen=True)
    await _resolved(place, submit, "key-000001", accept_after=2, resolve_after=10, rating=5)
    await _resolved(place, submit, "key-000002", accept_after=4, resolve_after=30, rating=2, reopen=True,
                    public="1", description="联系我：13812345678，身份证610402199001011234")
    await _resolved(place, submit, "key-000003", accept_after=6, resolve_after=100)
    await _resolved(place, submit, "key-000004", accept_after=1, resolve_after=20, rating=4,
                    category=str(place["categories"]["family"].id), description="家里有困难。")
    return place


async def test_the_figures_of_a_crafted_day(crafted):
    today = clock.now().astimezone(clock.CHINA).date()
    report = await statistics.report(crafted["scope"], statistics.clean_period({"to": today.isoformat()}))
    district = report.district
    assert (district.received, district.resolved) == (4, 4)
    assert district.accept_median == pytest.approx(3.0) and district.accept_p90 == pytest.approx(5.4)
    assert district.resolve_median == pytest.approx(25.0) and district.resolve_p90 == pytest.approx(79.0)
    assert district.on_time_rate == pytest.approx(0.75)  # the 100-hour one was late
    assert district.satisfaction == pytest.approx(11 / 3) and district.satisfied_share == pytest.approx(2 / 3)
    assert district.reopen_rate == pytest.approx(0.25)
    by_category = {f.label: f.received for f in report.categories}
    assert by_category == {"环境卫生": 3, "Private categories": 1} or by_category == {"环境卫生": 3, "私密类别": 1}
    assert [(f.label, f.received) for f in report.communities] == [("北大街社区", 4)]
    public = await statistics.report(crafted["scope"], report.period, public=True)
    assert [f.label for f in public.categories] == ["环境卫生"] and public.district.received == 4


def test_periods_are_checked():
    for bad, field in (({"from": "2026-13-01"}, "from"), ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
                       ({"from": "2024-01-01", "to": "2026-01-01"}, "from")):
        with pytest.raises(ValidationFailed) as refused:
            statistics.clean_period(bad)
        assert field in refused.value.errors
    period = statistics.clean_period({"to": "2026-11-28"})
    assert (period.end - period.start).days == statistics.DEFAULT_DAYS - 1


def test_numbers_that_identify_a_resident_are_masked():
    assert transparency.mask("电话13812345678，身份证61040219900101123X。") == "电话138****5678，身份证610402********123X。"
    assert transparency.mask("订单号 20261128123456789012") == "订单号 20261128123456789012"


async def test_the_public_page_shows_public_items_anonymised_and_nothing_private(client, crafted):
    page = await client.get("/t/qindu/feedback/public", headers=PAGE)
    assert page.status_code == 200
    assert "138****5678" in page.text and "13812345678" not in page.text and "199001011234" not in page.text
    assert "家里有困难" not in page.text and "刘芳" not in page.text
    assert "楼道堆放杂物" not in page.text  # not allowed to be shown
    items, _more = await transparency.items(crafted["scope"])
    assert len(items) == 1
    detail = await client.get(f"/t/qindu/feedback/public/{items[0].id}", headers=PAGE)
    assert detail.status_code == 200 and "再次处理。" in detail.text and "没解决" not in detail.text
    hidden = await crafted["scope"].objects(FeedbackItem).where(FeedbackItem.public == False)  # noqa: E712
    for item in hidden:
        assert (await client.get(f"/t/qindu/feedback/public/{item.id}", headers=PAGE)).status_code == 404


async def test_the_figures_page_and_its_csv(client, crafted, sign_in):
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/feedback/figures", headers=PAGE)
    assert page.status_code == 200 and "北大街社区" in page.text and "75%" in page.text
    bad = await client.get("/t/qindu/console/feedback/figures?from=2026-99-01", headers=PAGE)
    assert bad.status_code == 422 and 'id="e-from"' in bad.text and "2026-99-01" in bad.text
    csv = await client.get("/t/qindu/console/feedback/figures.csv", headers=PAGE)
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 1 + 1 + 2  # header, district, one community, two category rows
    assert "家庭困难求助" not in csv.text and "私密类别" in csv.text  # private: counted, never named
    client.cookies.clear()
    await sign_in(client, "13900000012", login_path="/t/qindu/login")  # a grid worker: not district-wide
    assert (await client.get("/t/qindu/console/feedback/figures", headers=PAGE)).status_code == 403


def test_csv_cells_never_start_a_formula():
    assert statistics._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and statistics._cell("@x") == "'@x"
    assert statistics._cell(-1.25) == "'-1.2" and statistics._cell("北大街") == "北大街"
