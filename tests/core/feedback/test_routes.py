"""The resident's feedback pages: raise something once however often it is sent, follow it,
rate or reopen it; nobody else's items."""

import re

from core.config import Settings
from core.feedback import workflow
from core.feedback.tables import FeedbackItem
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
SETTINGS = Settings.from_env()


async def _form(client):
    page = await client.get("/t/qindu/feedback/new", headers=PAGE)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return csrf_token(page.text), key


async def test_raise_follow_and_rate(client, place, sign_in):
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    token, key = await _form(client)
    form = {"_csrf_token": token, "idempotency_key": key, "category": str(place["categories"]["sanitation"].id),
            "description": "楼道堆放杂物。"}
    sent = await client.post("/t/qindu/feedback/new", data=form, headers=PAGE)
    resent = await client.post("/t/qindu/feedback/new", data=form, headers=PAGE)  # a retry on a poor network
    assert sent.status_code == resent.status_code == 303 and sent.headers["location"] == resent.headers["location"]
    assert await place["scope"].count(FeedbackItem) == 1
    page = await client.get(sent.headers["location"], headers=PAGE)
    item = await place["scope"].objects(FeedbackItem).first()
    assert item.tracking_number in page.text and "已提交" in page.text and "楼道堆放杂物。" in page.text
    mine = await client.get("/t/qindu/feedback", headers=PAGE)
    assert item.tracking_number in mine.text
    await workflow.accept(place["scope"], "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.resolve(place["scope"], "qindu", item.id, actor_id=place["grid_worker"].id, revision=2,
                           what_was_done="已清理。", settings=SETTINGS)
    page = await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)
    refused = await client.post(f"/t/qindu/feedback/{item.id}/rate", headers=PAGE,
                                data={"_csrf_token": csrf_token(page.text), "rating": "9"})
    assert refused.status_code == 422 and "请选择 1 到 5 星。" in refused.text
    rated = await client.post(f"/t/qindu/feedback/{item.id}/rate", headers=PAGE,
                              data={"_csrf_token": csrf_token(page.text), "rating": "4", "comment": "挺好"})
    assert rated.status_code == 303
    assert (await place["scope"].get(FeedbackItem, item.id)).rating == 4


async def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, place, sign_in):
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    token, key = await _form(client)
    refused = await client.post("/t/qindu/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "category": "", "description": "路灯坏了" + "。" * 4000})
    assert refused.status_code == 422
    assert 'id="e-category"' in refused.text and 'id="e-description"' in refused.text
    assert "路灯坏了" in refused.text and f'value="{key}"' in refused.text  # the same key for the retry
    assert await place["scope"].count(FeedbackItem) == 0


async def test_nobody_else_sees_or_acts_on_an_item(client, place, sign_in, submit, make_person):
    item, _ = await submit()
    await make_person("陈明", "13900000022")
    await sign_in(client, "13900000022", login_path="/t/qindu/login")
    assert (await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)).status_code == 404
    page = await client.get("/t/qindu/feedback", headers=PAGE)
    assert item.tracking_number not in page.text
    refused = await client.post(f"/t/qindu/feedback/{item.id}/reopen", headers=PAGE,
                                data={"_csrf_token": csrf_token(page.text), "reason": "x"})
    assert refused.status_code == 404


async def test_a_signed_out_visitor_is_sent_to_sign_in(client, place):
    response = await client.get("/t/qindu/feedback/new", headers=PAGE)
    assert response.status_code == 303 and "/login" in response.headers["location"]


async def test_a_bad_rating_keeps_the_comment_and_a_form_gone_stale_is_told_why(client, place, sign_in, submit):
    from core.feedback.tables import TimelineEntry

    item, _ = await submit()
    worker = place["grid_worker"].id
    await workflow.accept(place["scope"], "qindu", item.id, actor_id=worker, revision=1)
    await workflow.resolve(place["scope"], "qindu", item.id, actor_id=worker, revision=2, what_was_done="已清理。",
                           settings=SETTINGS)
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)
    token = csrf_token(page.text)
    refused = await client.post(f"/t/qindu/feedback/{item.id}/rate", headers=PAGE,
                                data={"_csrf_token": token, "rating": "三", "comment": "<i>修得不错</i>"})
    assert refused.status_code == 422
    assert re.search(r'<p class="error" role="alert">请选择 1 到 5 星。</p>\s*</fieldset>', refused.text)
    assert re.search(r'<textarea id="f-comment"[^>]*>&lt;i&gt;修得不错&lt;/i&gt;</textarea>', refused.text)
    too_long = await client.post(f"/t/qindu/feedback/{item.id}/reopen", headers=PAGE,
                                 data={"_csrf_token": token, "reason": "还有杂物" + "。" * 2000})
    assert too_long.status_code == 422
    assert re.search(r'<textarea id="f-reason"[^>]*>还有杂物。{2000}</textarea>\s*'
                     r'<p class="error" id="e-reason" role="alert">最多 2000 个字符', too_long.text)
    row = await place["scope"].get(FeedbackItem, item.id)
    assert (row.state, row.rating, row.revision) == ("resolved", None, 3)

    # Rated from another phone; the rating form still open here is told so, not about its stars.
    await workflow.rate(place["scope"], "qindu", item.id, person_id=place["resident"].id, rating="4",
                        settings=SETTINGS)
    stale = await client.post(f"/t/qindu/feedback/{item.id}/rate", headers=PAGE,
                              data={"_csrf_token": token, "rating": "-1", "comment": "a\x00b"})
    assert stale.status_code == 409 and "不能进行此操作" in stale.text
    row = await place["scope"].get(FeedbackItem, item.id)
    assert (row.state, row.rating) == ("closed", 4)
    assert await place["scope"].count(TimelineEntry) == 4  # submit, accept, resolve, rate
