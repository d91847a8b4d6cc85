"""The staff queue and item page: each sees their part of the district, acts with the
revision they saw (a stale page gets 409), and private items stay with their party."""

from core.feedback.tables import FeedbackItem
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


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
