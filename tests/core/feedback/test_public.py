"""The district's public page of feedback: anyone may read it without signing in; it shows
items their residents allowed to be shown, anonymised (no resident, address, coordinates,
photos or staff), with mobile and identity-card numbers masked, never an item of a private
category, a page at a time; and each such item with its public timeline."""

import io
import re

import pytest
from PIL import Image

from core.config import Settings
from core.feedback import photos, services, transparency, workflow
from core.feedback.tables import FeedbackItem

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
SETTINGS = Settings.from_env()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def shown(place, submit):
    """A public item with an address, coordinates, a photo and a resident's numbers, taken
    to a rating through a reopen; a non-public item; and a private item marked public."""
    scope, worker, resident = place["scope"], place["grid_worker"].id, place["resident"].id
    data = {"category": str(place["categories"]["sanitation"].id), "public": "1", "address": "北大街12号3单元",
            "latitude": "34.3512", "longitude": "108.7061",
            "description": "楼下垃圾没人清，我的电话 138-1234-5678，身份证 61040219900101123X。"}
    submission = await services.clean(scope, data, person_id=resident)
    public, _ = await services.submit(SETTINGS, scope, "qindu", resident, submission, idempotency_key="key-pub-0001",
                                      photos=await photos.prepare([("垃圾.png", _png())]))
    await workflow.accept(scope, "qindu", public.id, actor_id=worker, revision=1)
    await workflow.resolve(scope, "qindu", public.id, actor_id=worker, revision=2, settings=SETTINGS,
                           what_was_done="已清运，网格员电话13912345678。")
    await workflow.reopen(scope, "qindu", public.id, person_id=resident, reason="楼道里还有，住3单元501", settings=SETTINGS)
    await workflow.resolve(scope, "qindu", public.id, actor_id=worker, revision=4, settings=SETTINGS,
                           what_was_done="楼道也已清理。")
    await workflow.rate(scope, "qindu", public.id, person_id=resident, rating="4", comment="还行，谢谢张网格员",
                        settings=SETTINGS)
    hidden, _ = await submit("key-pub-0002", description="隔壁的狗每天晚上叫。")
    private, _ = await submit("key-pub-0003", category=str(place["categories"]["family"].id), public="1",
                              description="家里老人需要照顾。")
    public, hidden, private = [await scope.get(FeedbackItem, item.id) for item in (public, hidden, private)]
    return {**place, "public": public, "hidden": hidden, "private": private}


async def test_visitors_see_public_items_anonymised(client, shown):
    page = await client.get("/t/qindu/feedback/public", headers=PAGE)  # nobody signed in
    assert page.status_code == 200
    text = page.text
    assert shown["public"].tracking_number in text and "环境卫生" in text and "北大街社区" in text
    assert "138****5678" in text and "610402********123X" in text
    for secret in ("1234-5678", "19900101", "刘芳", "北大街12号", "34.3512", "108.7061", "/photos/", "<img"):
        assert secret not in text, secret


async def test_items_not_allowed_to_be_shown_and_private_items_never_appear(client, shown):
    text = (await client.get("/t/qindu/feedback/public", headers=PAGE)).text
    for item in (shown["hidden"], shown["private"]):
        assert item.tracking_number not in text
        assert (await client.get(f"/t/qindu/feedback/public/{item.id}", headers=PAGE)).status_code == 404
    assert "隔壁的狗" not in text and "家里老人" not in text and "家庭困难求助" not in text
    assert (await client.get("/t/qindu/feedback/public/999999", headers=PAGE)).status_code == 404
    items, more = await transparency.items(shown["scope"])
    assert [item.id for item in items] == [shown["public"].id] and not more


async def test_a_public_item_s_timeline_has_dates_and_states_but_no_people(client, shown):
    page = await client.get(f"/t/qindu/feedback/public/{shown['public'].id}", headers=PAGE)
    assert page.status_code == 200
    text = page.text
    assert shown["public"].tracking_number in text and "138****5678" in text
    assert "已清运，网格员电话139****5678。" in text and "楼道也已清理。" in text  # what was done, masked
    assert text.count('<time datetime="') == 6  # submitted, accepted, resolved, reopened, resolved, closed
    for secret in ("张伟", "刘芳", "13912345678", "3单元501", "谢谢张网格员", "北大街12号", "34.3512", "/photos/", "<img"):
        assert secret not in text, secret


async def test_the_public_page_s_figures_count_private_items_without_naming_them(client, shown):
    text = (await client.get("/t/qindu/feedback/public", headers=PAGE)).text
    district_row = re.search(r"<tr>\s*<th scope=\"row\">[^<]*</th><td>(\d+)</td>", text)
    assert district_row and district_row.group(1) == "3"  # the private item counts in the district's total
    assert "家庭困难求助" not in text and "私密类别" not in text


async def test_the_public_page_comes_a_page_at_a_time(client, place, submit):
    made = []
    for n in range(transparency.PAGE_SIZE + 1):
        item, _ = await submit(f"key-page-{n:04d}", public="1", description=f"第{n}号意见。")
        made.append(item)
    first = await client.get("/t/qindu/feedback/public", headers=PAGE)
    assert made[-1].tracking_number in first.text and made[0].tracking_number not in first.text  # newest first
    assert first.text.count('href="/t/qindu/feedback/public/') == transparency.PAGE_SIZE
    assert 'href="?page=2"' in first.text and "?page=0" not in first.text
    second = await client.get("/t/qindu/feedback/public", params={"page": "2"}, headers=PAGE)
    assert second.text.count('href="/t/qindu/feedback/public/') == 1 and made[0].tracking_number in second.text
    assert 'href="?page=1"' in second.text and "?page=3" not in second.text
    beyond = await client.get("/t/qindu/feedback/public", params={"page": "9"}, headers=PAGE)
    assert beyond.status_code == 200 and beyond.text.count('href="/t/qindu/feedback/public/') == 0


async def test_an_open311_client_s_contact_details_are_cut_off(client, place, submit):
    item, _ = await submit("key-pub-0311", public="1",
                           description="路灯不亮。" + transparency.STAFF_ONLY + "email: someone@example.invalid")
    text = (await client.get(f"/t/qindu/feedback/public/{item.id}", headers=PAGE)).text
    assert "路灯不亮。" in text and "someone@example.invalid" not in text


async def test_the_pages_link_to_the_public_page_and_the_figures(client, place, sign_in):
    home = await client.get("/t/qindu/", headers=PAGE)
    assert 'href="/t/qindu/feedback/public"' in home.text
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    queue = await client.get("/t/qindu/console/feedback", headers=PAGE)
    assert 'href="/t/qindu/console/feedback/figures"' in queue.text


def test_masking():
    mask = transparency.mask
    assert mask("电话13812345678。") == "电话138****5678。"
    assert mask("138 1234 5678 或 138-1234-5678") == "138****5678 或 138****5678"
    assert mask("+86 13812345678、8613812345678") == "+86 138****5678、86138****5678"
    assert mask("身份证61040219900101123x") == "身份证610402********123x"
    assert mask("订单号 20261128123456789012，金额 1200 元，2026-11-28") == "订单号 20261128123456789012，金额 1200 元，2026-11-28"
