"""The staff queue and item page: each sees their part of the district, acts with the
revision they saw (a stale page gets 409), and private items stay with their party."""

from core.config import Settings
from core.feedback.tables import FeedbackItem
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
SETTINGS = Settings.from_env()


async def _act(client, item_id, action, **fields):
    page = await client.get(f"/t/qindu/console/feedback/{item_id}", headers=PAGE)
    revision = fields.pop("revision", None)
    if revision is None:
        import re

        revision = re.search(r'name="revision" value="(\d+)"', page.text).group(1)
    return await client.post(f"/t/qindu/console/feedback/{item_id}/{action}", headers=PAGE,
                             data={"_csrf_token": csrf_token(page.text), "revision": str(revision), **fields})


async def test_the_grid_worker_accepts_and_resolves_from_the_console(client, place, submit, sign_in):
    item, _ = await submit()
    await sign_in(client, "13900000012", login_path="/t/qindu/login")  # the grid's worker
    queue = await client.get("/t/qindu/console/feedback", headers=PAGE)
    assert item.tracking_number in queue.text
    assert (await _act(client, item.id, "accept")).status_code == 303
    stale = await _act(client, item.id, "start", revision=1)
    assert stale.status_code == 409 and "有人刚刚处理了这条诉求" in stale.text
    refused = await _act(client, item.id, "resolve", note="")
    assert refused.status_code == 422 and "此项必填。" in refused.text
    assert (await _act(client, item.id, "resolve", note="已清理。")).status_code == 303
    row = await place["scope"].get(FeedbackItem, item.id)
    assert row.state == "resolved" and row.resolved_at is not None


async def test_staff_elsewhere_do_not_see_it_and_private_items_stay_with_their_party(
        client, place, submit, sign_in, make_person):
    from core.accounts import services as accounts
    from tenants.tables import Community

    other = await place["scope"].create(Community, street=place["street"].id, name="民生路社区")
    elsewhere = await make_person("孙强", "13900000032")
    await accounts.add_membership(place["scope"], elsewhere.id, ["staff"], "community", other.id)
    item, _ = await submit()
    private, _ = await submit(key="key-private1", category=str(place["categories"]["family"].id),
                              description="家中老人需要照护。")
    await sign_in(client, "13900000032", login_path="/t/qindu/login")
    queue = await client.get("/t/qindu/console/feedback", headers=PAGE)
    assert item.tracking_number not in queue.text and private.tracking_number not in queue.text
    assert (await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)).status_code == 403
    assert (await client.get(f"/t/qindu/console/feedback/{private.id}", headers=PAGE)).status_code == 404
    client.cookies.clear()
    await sign_in(client, "13900000001", login_path="/t/qindu/login")  # the admin: not this private item's party
    queue = await client.get("/t/qindu/console/feedback", headers=PAGE)
    assert item.tracking_number in queue.text and private.tracking_number not in queue.text
    client.cookies.clear()
    await sign_in(client, "13900000011", login_path="/t/qindu/login")  # the community: its party
    page = await client.get(f"/t/qindu/console/feedback/{private.id}", headers=PAGE)
    assert page.status_code == 200 and "家中老人需要照护。" in page.text


async def test_the_queue_filters_by_state_and_overdue(client, place, submit, sign_in):
    from datetime import timedelta

    from core import clock
    from core.feedback import workflow

    waiting, _ = await submit()
    accepted, _ = await submit(key="key-000002", description="路灯不亮。")
    await workflow.accept(place["scope"], "qindu", accepted.id, actor_id=place["grid_worker"].id, revision=1)
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    only_accepted = await client.get("/t/qindu/console/feedback?state=accepted", headers=PAGE)
    assert accepted.tracking_number in only_accepted.text and waiting.tracking_number not in only_accepted.text
    clock.advance(timedelta(hours=25))  # the waiting one is past its 24 hours to be accepted
    client.cookies.clear()  # (a staff session ends after 30 idle minutes)
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    overdue = await client.get("/t/qindu/console/feedback?overdue=true", headers=PAGE)
    assert waiting.tracking_number in overdue.text and accepted.tracking_number not in overdue.text


async def test_the_queue_filters_by_category_community_and_responsible_party(client, place, submit, sign_in):
    from tenants.tables import Community, Department

    other = await place["scope"].create(Community, street=place["street"].id, name="民生路社区")
    department = await place["scope"].create(Department, name="城市管理局")
    litter, _ = await submit()
    lamp, _ = await submit(key="key-000002", category=str(place["categories"]["facilities"].id),
                           description="路灯不亮。")
    elsewhere, _ = await submit(key="key-000003", community=str(other.id), description="民生路积水。")
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    by_category = await client.get(f"/t/qindu/console/feedback?category={place['categories']['facilities'].id}",
                                   headers=PAGE)
    assert lamp.tracking_number in by_category.text and litter.tracking_number not in by_category.text
    by_community = await client.get(f"/t/qindu/console/feedback?community={other.id}", headers=PAGE)
    assert elsewhere.tracking_number in by_community.text and lamp.tracking_number not in by_community.text
    page = await client.get("/t/qindu/console/feedback", headers=PAGE)
    moved = await client.post("/t/qindu/console/feedback/assign", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "items": [str(litter.id), str(lamp.id)],
        "party": f"department:{department.id}", "note": "请城管处理。"})
    assert moved.status_code == 303 and "assigned=2" in moved.headers["location"]
    told = await client.get(moved.headers["location"], headers=PAGE)
    assert "已分派 2 条诉求。" in told.text
    by_party = await client.get(f"/t/qindu/console/feedback?party=department:{department.id}", headers=PAGE)
    assert litter.tracking_number in by_party.text and lamp.tracking_number in by_party.text
    assert elsewhere.tracking_number not in by_party.text
    for item in (litter, lamp):
        row = await place["scope"].get(FeedbackItem, item.id)
        assert (row.state, row.party_type, row.party_id) == ("assigned", "department", department.id)
    unread = await client.get("/t/qindu/console/feedback?party=nonsense&category=x", headers=PAGE)
    assert unread.status_code == 200 and elsewhere.tracking_number in unread.text  # a bad filter is no filter


async def test_bulk_assign_skips_what_is_not_the_actors_and_refuses_bad_input(client, place, submit, sign_in):
    from core.feedback import workflow

    mine, _ = await submit()
    closed, _ = await submit(key="key-000002", description="路灯不亮。")
    await workflow.reject(place["scope"], "qindu", closed.id, actor_id=place["admin"].id, revision=1,
                          reason="重复提交。", settings=SETTINGS)
    await sign_in(client, "13900000012", login_path="/t/qindu/login")  # the grid worker
    page = await client.get("/t/qindu/console/feedback", headers=PAGE)
    token = csrf_token(page.text)
    nothing = await client.post("/t/qindu/console/feedback/assign", headers=PAGE, data={
        "_csrf_token": token, "party": f"community:{place['community'].id}"})
    assert nothing.status_code == 422 and "请至少选择一条。" in nothing.text
    bad_party = await client.post("/t/qindu/console/feedback/assign", headers=PAGE, data={
        "_csrf_token": token, "items": [str(mine.id)], "party": "department:99999", "note": "转社区"})
    assert bad_party.status_code == 422 and "请从列表中选择。" in bad_party.text and "转社区" in bad_party.text
    assert (await place["scope"].get(FeedbackItem, mine.id)).state == "submitted"
    moved = await client.post("/t/qindu/console/feedback/assign", headers=PAGE, data={
        "_csrf_token": token, "items": [str(mine.id), str(closed.id), "99999"],
        "party": f"community:{place['community'].id}"})
    assert moved.status_code == 303
    told = await client.get(moved.headers["location"], headers=PAGE)
    assert "已分派 1 条诉求。" in told.text and closed.tracking_number in told.text
    assert (await place["scope"].get(FeedbackItem, mine.id)).party_type == "community"
    assert (await place["scope"].get(FeedbackItem, closed.id)).state == "rejected"


async def test_a_bad_note_is_shown_again_and_a_form_gone_stale_is_told_why(client, place, submit, sign_in):
    import re

    from core.feedback import workflow
    from core.feedback.tables import TimelineEntry

    item, _ = await submit()
    worker = place["grid_worker"].id
    await workflow.accept(place["scope"], "qindu", item.id, actor_id=worker, revision=1)
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    refused = await _act(client, item.id, "resolve", note="<b>已清理</b>" + "。" * 2000)
    assert refused.status_code == 422
    assert re.search(r'<textarea id="f-note"[^>]*>&lt;b&gt;已清理&lt;/b&gt;。{2000}</textarea>\s*'
                     r'<p class="error" id="e-note" role="alert">最多 2000 个字符', refused.text)
    assert (await place["scope"].get(FeedbackItem, item.id)).state == "accepted"
    assert await place["scope"].count(TimelineEntry) == 2  # submit, accept

    # Resolved by someone else while the page was open: the old form is told so, not about its note.
    await workflow.resolve(place["scope"], "qindu", item.id, actor_id=worker, revision=2, what_was_done="已清理。",
                           settings=SETTINGS)
    stale = await _act(client, item.id, "resolve", revision=2, note="a\x00b")
    assert stale.status_code == 409 and "有人刚刚处理了这条诉求" in stale.text and 'id="e-note"' not in stale.text
    assert (await place["scope"].get(FeedbackItem, item.id)).revision == 3
    assert await place["scope"].count(TimelineEntry) == 3
