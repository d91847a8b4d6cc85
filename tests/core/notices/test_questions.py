"""Residents ask about a notice once per form; staff see the questions and the read rates."""

import re

from core.notices import questions, statistics
from core.notices.tables import NoticeQuestion
from core.notifications import services as notifications
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


async def test_a_question_is_kept_once_and_the_author_told(client, district, sign_in, jobs, publish):
    notice = await publish(body="收支如下。", audience=f"community:{district['north'].id}")
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/notices/{notice.root}", headers=PAGE)
    submission = re.search(r'name="submission" value="([^"]+)"', page.text).group(1)
    form = {"_csrf_token": csrf_token(page.text), "submission": submission, "question": "支出明细在哪里看？"}
    first = await client.post(f"/t/qindu/notices/{notice.root}/questions", data=form, headers=PAGE)
    again = await client.post(f"/t/qindu/notices/{notice.root}/questions", data=form, headers=PAGE)  # resent
    assert first.status_code == again.status_code == 303
    assert "您的问题已发送" in (await client.get(first.headers["location"], headers=PAGE)).text
    assert await district["scope"].count(NoticeQuestion) == 1
    await jobs.run_due()
    items, _ = await notifications.inbox(district["scope"], district["author"].id)
    assert "有居民对“2026年11月财务公开”提问" in [item.title for item in items]
    kept = await questions.for_notice(district["scope"], notice)
    assert [(q.person, q.text) for q in kept] == [("刘芳", "支出明细在哪里看？")]
    # It is also a feedback item of the question category, answered and followed like any other.
    from core.feedback.tables import FeedbackItem

    items = await district["scope"].select(FeedbackItem, FeedbackItem.description, FeedbackItem.source,
                                           FeedbackItem.category.key, FeedbackItem.party_type)
    assert items == [{"description": "《2026年11月财务公开》：支出明细在哪里看？", "source": "notice",
                      "category.key": "question", "party_type": "community"}]


async def test_an_empty_question_is_refused_next_to_the_field(client, district, sign_in, publish):
    notice = await publish(body="收支如下。", audience=f"community:{district['north'].id}")
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/notices/{notice.root}", headers=PAGE)
    submission = re.search(r'name="submission" value="([^"]+)"', page.text).group(1)
    refused = await client.post(f"/t/qindu/notices/{notice.root}/questions", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "submission": submission, "question": "  "})
    assert refused.status_code == 422 and 'id="e-question"' in refused.text
    assert f'value="{submission}"' in refused.text  # the same form, so a resend stays one question
    assert await district["scope"].count(NoticeQuestion) == 0


async def test_someone_the_notice_is_not_for_cannot_ask(client, district, sign_in, publish):
    notice = await publish(body="收支如下。", audience=f"community:{district['north'].id}")
    await sign_in(client, "13900000022", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/notices", headers=PAGE)
    response = await client.post(f"/t/qindu/notices/{notice.root}/questions", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "submission": "abc123", "question": "？"})
    assert response.status_code == 404 and await district["scope"].count(NoticeQuestion) == 0


async def test_read_rates_per_community(client, district, sign_in, publish):
    notice = await publish(body="收支如下。", audience="district")
    total, communities = await statistics.read_rates(district["scope"], notice)
    assert (total.readers, total.members) == (0, 2)
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    await client.get(f"/t/qindu/notices/{notice.root}", headers=PAGE)
    total, communities = await statistics.read_rates(district["scope"], notice)
    assert (total.readers, total.members, total.percent) == (1, 2, 50)
    assert {(r.label, r.readers, r.members) for r in communities} == {("北大街社区", 1, 1), ("民生路社区", 0, 1)}
    client.cookies.clear()
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    console = await client.get(f"/t/qindu/console/notices/{notice.id}", headers=PAGE)
    assert "2 位居民中已有 1 位阅读（50%）。" in console.text and "民生路社区" in console.text
