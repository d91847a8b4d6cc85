"""The notice pages: staff draft and review in the console; residents read what is for them."""

import re

from core.notices.tables import Notice
from tests.http import csrf_token, post_form

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


def _form(district, **changes):
    return {"title": "2026年11月财务公开", "body": "本月收入 **12,000** 元。<script>alert(1)</script>",
            "category": str(district["categories"]["财务公开"].id), "audience": f"community:{district['north'].id}",
            **changes}


async def _signed_in(client, sign_in, phone):
    client.cookies.clear()
    await sign_in(client, phone, login_path="/t/qindu/login")


async def _act(client, notice_id, action, revision, **fields):
    page = await client.get(f"/t/qindu/console/notices/{notice_id}", headers=PAGE)
    return await client.post(f"/t/qindu/console/notices/{notice_id}/{action}",
                             data={"_csrf_token": csrf_token(page.text), "revision": str(revision), **fields},
                             headers=PAGE)


async def test_draft_review_publish_and_read_through_the_pages(client, district, sign_in, jobs):
    await _signed_in(client, sign_in, "13900000011")  # the author
    created = await post_form(client, "/t/qindu/console/notices/new", _form(district), headers=PAGE)
    assert created.status_code == 303
    notice_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = await client.get(created.headers["location"], headers=PAGE)
    assert "草稿" in page.text and "<script>alert" not in page.text and "<strong>12,000</strong>" in page.text
    assert (await _act(client, notice_id, "submit", 1)).status_code == 303
    page = await client.get(f"/t/qindu/console/notices/{notice_id}", headers=PAGE)
    assert "等待同事审核。" in page.text and "/approve" not in page.text
    refused = await _act(client, notice_id, "approve", 2)  # the author may not approve
    assert refused.status_code == 403

    await _signed_in(client, sign_in, "13900000001")  # the reviewer
    returned = await _act(client, notice_id, "return", 2, comment="")
    assert returned.status_code == 422 and "此项必填。" in returned.text
    assert (await _act(client, notice_id, "return", 2, comment="请补充支出明细")).status_code == 303
    stale = await _act(client, notice_id, "approve", 2)
    assert stale.status_code == 409 and "有人刚刚处理了这条通知" in stale.text

    await _signed_in(client, sign_in, "13900000011")
    edit = await client.get(f"/t/qindu/console/notices/{notice_id}/edit", headers=PAGE)
    assert 'value="2026年11月财务公开"' in edit.text
    saved = await client.post(f"/t/qindu/console/notices/{notice_id}/edit", headers=PAGE, data={
        **_form(district, body="收入 12,000 元，支出 8,000 元。"), "revision": "3", "_csrf_token": csrf_token(edit.text)})
    assert saved.status_code == 303
    assert (await _act(client, notice_id, "submit", 4)).status_code == 303
    await _signed_in(client, sign_in, "13900000001")
    assert (await _act(client, notice_id, "approve", 5)).status_code == 303
    history = await client.get(f"/t/qindu/console/notices/{notice_id}", headers=PAGE)
    assert "已发布" in history.text and "请补充支出明细" in history.text
    await jobs.run_due()

    root = (await district["scope"].get(Notice, notice_id)).root
    await _signed_in(client, sign_in, "13900000021")  # a resident of the north community
    listing = await client.get("/t/qindu/notices", headers=PAGE)
    assert "2026年11月财务公开" in listing.text and "新" in listing.text
    detail = await client.get(f"/t/qindu/notices/{root}", headers=PAGE)
    assert detail.status_code == 200 and "支出 8,000 元" in detail.text
    assert "新</span> 2026" not in (await client.get("/t/qindu/notices", headers=PAGE)).text
    await _signed_in(client, sign_in, "13900000022")  # a resident of the other community
    assert "2026年11月财务公开" not in (await client.get("/t/qindu/notices", headers=PAGE)).text
    assert (await client.get(f"/t/qindu/notices/{root}", headers=PAGE)).status_code == 404
    client.cookies.clear()  # a visitor sees only district-wide notices
    assert (await client.get(f"/t/qindu/notices/{root}", headers=PAGE)).status_code == 404


async def test_a_bad_draft_keeps_what_was_typed(client, district, sign_in):
    await _signed_in(client, sign_in, "13900000011")
    response = await post_form(client, "/t/qindu/console/notices/new", _form(
        district, title="", expire_at="2020-01-01T09:00", audience="grid:99999"), headers=PAGE)
    assert response.status_code == 422
    assert re.search(r'id="e-title"[^>]*>此项必填。', response.text)
    assert "e-expire_at" in response.text and "e-audience" in response.text
    assert "本月收入 **12,000** 元。&lt;script&gt;" in response.text  # kept, escaped
    assert await district["scope"].count(Notice) == 0


async def test_residents_and_grid_workers_have_no_notice_console(client, district, sign_in):
    await _signed_in(client, sign_in, "13900000021")
    assert (await client.get("/t/qindu/console/notices", headers=PAGE)).status_code == 403
    assert (await client.get("/t/qindu/console/notices/new", headers=PAGE)).status_code == 403


async def test_a_bad_reason_is_shown_again_and_a_form_gone_stale_is_told_why(client, district, sign_in, publish):
    from core.notices import services
    from core.notices.tables import NoticeTransition

    notice = await publish()
    scope = district["scope"]
    await _signed_in(client, sign_in, "13900000011")  # the author, who may withdraw it
    refused = await _act(client, notice.id, "withdraw", notice.revision, reason="<b>有误</b>" + "。" * 2000)
    assert refused.status_code == 422
    assert re.search(r'<textarea id="f-reason"[^>]*>&lt;b&gt;有误&lt;/b&gt;。{2000}</textarea>\s*'
                     r'<p class="error" id="e-reason" role="alert">最多 2000 个字符', refused.text)
    assert (await scope.get(Notice, notice.id)).status == "published"
    transitions = await scope.count(NoticeTransition)

    # Withdrawn by a colleague meanwhile: the old form is told so, not about its reason.
    await services.withdraw(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision,
                            reason="数据有误。")
    stale = await _act(client, notice.id, "withdraw", notice.revision, reason="a\x00b")
    assert stale.status_code == 409 and "有人刚刚处理了这条通知" in stale.text and 'id="e-reason"' not in stale.text
    row = await scope.get(Notice, notice.id)
    assert (row.status, row.withdrawn_reason) == ("withdrawn", "数据有误。")
    assert await scope.count(NoticeTransition) == transitions + 1


async def test_a_bad_review_comment_is_refused_and_writes_nothing(client, district, sign_in):
    from core.notices import services
    from core.notices.tables import NoticeTransition

    scope = district["scope"]
    notice = await services.create(scope, await services.clean(scope, {
        "title": "停水通知", "body": "正文", "audience": "district"}), author_id=district["author"].id)
    await services.submit(scope, notice.id, actor_id=district["author"].id, revision=notice.revision)
    await _signed_in(client, sign_in, "13900000001")  # the reviewer
    transitions = await scope.count(NoticeTransition)
    approved = await _act(client, notice.id, "approve", notice.revision + 1, comment="a\x00b")
    assert approved.status_code == 422 and '<p class="error" role="alert">包含不能使用的字符。</p>' in approved.text
    returned = await _act(client, notice.id, "return", notice.revision + 1, comment="<b>补充</b>" + "。" * 2000)
    assert returned.status_code == 422
    assert re.search(r'<textarea id="f-comment"[^>]*>&lt;b&gt;补充&lt;/b&gt;。{2000}</textarea>\s*'
                     r'<p class="error" id="e-comment" role="alert">最多 2000 个字符', returned.text)
    row = await scope.get(Notice, notice.id)
    assert (row.status, row.revision) == ("submitted", notice.revision + 1)
    assert await scope.count(NoticeTransition) == transitions
