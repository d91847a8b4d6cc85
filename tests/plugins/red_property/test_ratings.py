"""The monthly rating of firms from measured facts, the red and black lists by the district's
thresholds, appeals and answers; and staff on duty for emergencies."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import pytest

from core import clock
from core.accounts import services as accounts
from core.config import Settings
from core.errors import Conflict, NotFound, ValidationFailed
from core.feedback import workflow
from core.feedback.tables import FeedbackItem
from core.notifications.tables import InboxEntry
from core.plugins import enablement
from plugins.red_property import estates, fees, firms, ratings, repairs
from plugins.red_property.tables import Appeal, Rating
from tests.http import csrf_token, http_client
from tests.plugins.red_property.conftest import BASE

CHINA = clock.CHINA
EN = {"accept-language": "en"}
NOVEMBER = datetime(2026, 11, 5, 9, 0, tzinfo=CHINA)


async def _report(district, owner, kind="red_property_repair", text="厨房水管漏水"):
    home = next(h for h in await estates.homes_of(district, owner.id) if h["number"] == "1-201")
    return await repairs.report(district, "qindu", owner.id, {"kind": kind, "unit": str(home["unit"]),
                                                              "description": text})


async def _told(district, person_id, kind):
    rows = await district.select(InboxEntry, InboxEntry.notification.kind).where(InboxEntry.person == person_id)
    return [row["notification.kind"] for row in rows].count(f"red_property.{kind}")


@pytest.fixture
async def november(district, compound, owners, firm, manager, jobs):
    """In November: two repairs (one resolved in time and rated 4, one left overdue), one
    complaint, and November's bills; then the clock stands at 1 December, 02:00."""
    _the_firm, staff = firm
    clock.set_now(NOVEMBER, frozen=True)
    await jobs.run_due()
    settings = Settings.from_env()
    done = await _report(district, owners["张伟"])
    await _report(district, owners["张伟"], text="楼道灯不亮")
    await _report(district, owners["张伟"], kind="red_property_complaint", text="保安态度差")
    await jobs.run_due()  # the firm is told, and the plugin keeps what was given to it
    item = await district.get(FeedbackItem, done)
    await workflow.accept(district, "qindu", done, actor_id=staff.id, revision=item.revision)
    item = await district.get(FeedbackItem, done)
    await workflow.resolve(district, "qindu", done, actor_id=staff.id, revision=item.revision,
                           what_was_done="更换水管", settings=settings)
    await workflow.rate(district, "qindu", done, person_id=owners["张伟"].id, rating=4, settings=settings)
    await fees.set_schedule(district, manager.id, compound.id, {"rate": "1.80", "due_days": "30"})
    await fees.issue_bills(district, "2026-11")
    clock.set_now(datetime(2026, 12, 1, 2, 0, tzinfo=CHINA), frozen=True)
    # The overdue repair and the complaint climb to the community: they still count against the firm.
    assert await workflow.escalate_overdue(district, "qindu") >= 1
    yield
    clock.reset()


async def test_the_facts_of_the_month_and_the_score_they_make(district, firm, november):
    the_firm, _staff = firm
    found = await ratings.facts(district, the_firm.id, "2026-11")
    assert (found["on_time"]["num"], found["on_time"]["den"]) == (1, 2)
    assert found["satisfaction"]["share"] == Fraction(3, 4)
    # One complaint over 7 households is 14 per 100: beyond the worst, no points.
    assert (found["complaints"]["num"], found["complaints"]["den"], found["complaints"]["share"]) == (1, 7, 0)
    assert found["bills"]["share"] == 1
    # (15 + 22.5 + 0 + 10) / 90 × 100 = 52.78
    assert ratings.score_of(found) == Fraction(475, 9)


def test_a_fact_with_nothing_to_measure_is_left_out_and_the_rest_weighed_up():
    found = {"on_time": {"share": None}, "satisfaction": {"share": None}, "complaints": {"share": Fraction(1, 2)},
             "bills": {"share": Fraction(1)}}
    assert ratings.score_of(found) == Fraction(10 + 10, 30) * 100
    assert ratings.score_of({key: {"share": None} for key in ratings.WEIGHTS}) is None


@pytest.mark.parametrize(("score", "stars", "listed"), [(Fraction(95), 5, "red"), (Fraction(90), 5, "red"),
                                                       (Fraction(8999, 100), 4, ""), (Fraction(70), 3, ""),
                                                       (Fraction(60), 2, ""), (Fraction(5999, 100), 1, "black")])
def test_stars_and_lists_follow_the_thresholds(score, stars, listed):
    settings = {"five_stars": 90, "four_stars": 80, "three_stars": 70, "two_stars": 60, "red_list": 90,
                "black_list": 60}
    assert (ratings.stars_of(score, settings), ratings.listed_of(score, settings)) == (stars, listed)


async def test_the_monthly_job_rates_each_firm_once_and_tells_its_staff(district, firm, november, jobs):
    the_firm, staff = firm
    await jobs.run_due()
    await jobs.run_due()
    [rating] = await district.select(Rating)
    assert (rating["firm"], rating["period"], rating["score"], rating["stars"], rating["listed"]) == (
        the_firm.id, "2026-11", 528, 1, "black")
    assert await ratings.rate(district, "2026-11") == 0
    assert await _told(district, staff.id, "rated") == 1


async def test_the_districts_thresholds_decide_the_list(district, firm, november, manager):
    await enablement.save_settings(district, "red_property", {"payment_provider": "none", "black_list": "50",
                                                              "two_stars": "50"}, actor_id=manager.id)
    assert await ratings.rate(district, "2026-11") == 1
    [rating] = await district.select(Rating)
    assert (rating["stars"], rating["listed"]) == (2, "")


async def test_a_firm_appeals_once_at_a_time_and_the_district_answers(district, firm, november, manager, jobs):
    the_firm, staff = firm
    await ratings.rate(district, "2026-11")
    [rating] = await district.select(Rating)
    with pytest.raises(ValidationFailed):
        await ratings.appeal(district, the_firm.id, staff.id, rating["id"], {"note": ""})
    with pytest.raises(NotFound):
        await ratings.appeal(district, the_firm.id + 1, staff.id, rating["id"], {"note": "不是我们的"})
    await ratings.appeal(district, the_firm.id, staff.id, rating["id"], {"note": "楼道灯属于供电局维修范围"})
    with pytest.raises(Conflict):
        await ratings.appeal(district, the_firm.id, staff.id, rating["id"], {"note": "再次申诉"})
    await jobs.run_due()
    assert await _told(district, manager.id, "appeal") == 1
    [appeal] = await district.select(Appeal)
    assert await ratings.answer(district, manager.id, appeal["id"], {"answer": "经核实属实，下月起计入"}) == rating["id"]
    with pytest.raises(Conflict):
        await ratings.answer(district, manager.id, appeal["id"], {"answer": "再答复"})
    await jobs.run_due()
    assert await _told(district, staff.id, "appeal_answered") == 1
    shown = await ratings.rating(district, rating["id"])
    assert [a["answer"] for a in shown["appeals"]] == ["经核实属实，下月起计入"]


async def test_the_ratings_pages_show_the_list_and_how_each_rating_was_reached(app, district, firm, november,
                                                                               owners, sign_in):
    the_firm, staff = firm
    await ratings.rate(district, "2026-11")
    [rating] = await district.select(Rating)
    async with http_client(app) as client:
        await sign_in(client, "13800000203", login_path="/t/qindu/login")
        listed = await client.get(f"{BASE}/ratings/", headers=EN)
        assert "红星物业" in listed.text and "Black list" in listed.text
        page = await client.get(f"{BASE}/ratings/{rating['id']}", headers=EN)
        assert "Score 52.8 out of 100" in page.text and "1 / 2" in page.text and "15.0 / 30" in page.text
        assert 'id="appeal-form"' not in page.text
        refused = await client.post(f"{BASE}/ratings/{rating['id']}/appeals",
                                    data={"_csrf_token": csrf_token(page.text), "note": "冒充物业"})
        assert refused.status_code == 404
    async with http_client(app) as client:
        await sign_in(client, staff.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/ratings/{rating['id']}", headers=EN)
        assert 'id="appeal-form"' in page.text
        empty = await client.post(f"{BASE}/ratings/{rating['id']}/appeals", headers=EN,
                                  data={"_csrf_token": csrf_token(page.text), "note": " "})
        assert empty.status_code == 422
        sent = await client.post(f"{BASE}/ratings/{rating['id']}/appeals",
                                 data={"_csrf_token": csrf_token(page.text), "note": "楼道灯属于供电局"})
        assert sent.status_code == 303
    assert await district.count(Appeal) == 1


async def test_a_refused_answer_shows_the_rating_again_with_what_was_typed(app, district, firm, november, manager,
                                                                         sign_in):
    the_firm, staff = firm
    await ratings.rate(district, "2026-11")
    [rating] = await district.select(Rating)
    await ratings.appeal(district, the_firm.id, staff.id, rating["id"], {"note": "楼道灯属于供电局维修范围"})
    [appeal] = await district.select(Appeal)
    typed = "<b>经核实</b>" + "长" * 2000
    path = f"{BASE}/ratings/appeals/{appeal['id']}/answer"
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        token = csrf_token((await client.get(f"{BASE}/ratings/{rating['id']}")).text)
        refused = await client.post(path, headers=EN, data={"_csrf_token": token, "answer": typed})
        assert refused.status_code == 422
        assert f'id="e-answer" role="alert">At most 2000 characters (you typed {len(typed)}).' in refused.text
        assert f'>&lt;b&gt;经核实&lt;/b&gt;{"长" * 2000}</textarea>' in refused.text and "<b>经核实" not in refused.text
        assert (await district.get(Appeal, appeal["id"])).answered_at is None, "nothing written"
        answered = await client.post(path, data={"_csrf_token": token, "answer": "经核实属实"})
        assert answered.status_code == 303
        # Answered, the page shows no form: a bad answer sent again is refused for what it is.
        again = await client.post(path, headers=EN, data={"_csrf_token": token, "answer": typed})
        assert again.status_code == 409 and "This appeal has been answered." in again.text
    assert (await district.get(Appeal, appeal["id"])).answer == "经核实属实"


# On duty ----------------------------------------------------------------------------------------


async def test_an_emergency_tells_those_on_duty_or_everyone_when_nobody_is(district, compound, owners, firm,
                                                                           make_person, jobs):
    the_firm, staff = firm
    second = await make_person("物业小李", "13800000282")
    await accounts.add_membership(district, second.id, [firms.FIRM_STAFF], "red_property_firm", the_firm.id)
    await _report(district, owners["张伟"], kind="red_property_emergency", text="燃气泄漏")
    await jobs.run_due()
    assert (await _told(district, staff.id, "emergency"), await _told(district, second.id, "emergency")) == (1, 1)
    await firms.set_on_duty(district, the_firm.id, second.id, True)
    await firms.set_on_duty(district, the_firm.id, second.id, True)
    assert await firms.on_duty(district, the_firm.id) == [second.id]
    await _report(district, owners["张伟"], kind="red_property_emergency", text="电梯困人")
    await jobs.run_due()
    assert (await _told(district, staff.id, "emergency"), await _told(district, second.id, "emergency")) == (1, 2)
    # An ordinary repair still goes to the whole staff.
    await _report(district, owners["张伟"], text="门锁坏了")
    await jobs.run_due()
    assert (await _told(district, staff.id, "new_item"), await _told(district, second.id, "new_item")) == (1, 1)
    await firms.set_on_duty(district, the_firm.id, second.id, False)
    assert await firms.on_duty(district, the_firm.id) == []


async def test_staff_go_on_and_off_duty_on_the_firm_page(app, district, firm, sign_in):
    the_firm, staff = firm
    async with http_client(app) as client:
        await sign_in(client, staff.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/firm/", headers=EN)
        assert "Nobody is on duty" in page.text
        await client.post(f"{BASE}/firm/duty", data={"_csrf_token": csrf_token(page.text), "on": "1"})
        page = await client.get(f"{BASE}/firm/", headers=EN)
        assert "On duty for emergencies: 物业小马" in page.text and "Go off duty" in page.text
    assert await firms.on_duty(district, the_firm.id) == [staff.id]


