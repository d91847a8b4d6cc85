"""A district's administrators set each category's deadlines and first party, and add their own."""

from core.feedback import categories, services
from core.config import Settings
from core.feedback.tables import FeedbackCategory
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
URL = "/t/qindu/console/feedback/categories"


async def test_an_admin_changes_deadlines_and_new_items_follow_them(client, place, sign_in):
    sanitation = place["categories"]["sanitation"]
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get(URL, headers=PAGE)
    assert page.status_code == 200 and "环境卫生" in page.text
    changed = await client.post(f"{URL}/{sanitation.id}", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "name": "环境卫生", "accept_hours": "4", "resolve_hours": "48",
        "default_party": "community", "enabled": "1"})
    assert changed.status_code == 303
    row = await place["scope"].get(FeedbackCategory, sanitation.id)
    assert (row.accept_hours, row.resolve_hours, row.default_party, row.enabled) == (4, 48, "community", True)
    submission = await services.clean(place["scope"], {"category": str(sanitation.id), "description": "垃圾满了。"},
                                      person_id=place["resident"].id)
    item, _ = await services.submit(Settings.from_env(), place["scope"], "qindu", place["resident"].id, submission,
                                    idempotency_key="key-000001")
    assert (item.accept_due - item.created_at).total_seconds() == 4 * 3600
    assert (item.party_type, item.party_id) == ("community", place["community"].id)


async def test_bad_settings_are_refused_next_to_the_field_and_kept(client, place, sign_in):
    sanitation = place["categories"]["sanitation"]
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get(URL, headers=PAGE)
    refused = await client.post(f"{URL}/{sanitation.id}", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "name": "市容秩序", "accept_hours": "４８", "resolve_hours": "12",
        "default_party": "department", "enabled": "1"})
    assert refused.status_code == 422
    assert "已有同名类别。" in refused.text and 'id="e-c%d-accept_hours"' % sanitation.id in refused.text
    assert 'id="e-c%d-party"' % sanitation.id in refused.text and 'value="４８"' in refused.text
    assert (await place["scope"].get(FeedbackCategory, sanitation.id)).accept_hours == 24


async def test_an_admin_adds_a_private_category_and_disables_another(client, place, sign_in):
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get(URL, headers=PAGE)
    token = csrf_token(page.text)
    added = await client.post(URL, headers=PAGE, data={
        "_csrf_token": token, "name": "困难帮扶", "accept_hours": "12", "resolve_hours": "72",
        "default_party": "community", "private": "1"})
    assert added.status_code == 303
    own = await place["scope"].objects(FeedbackCategory).where(FeedbackCategory.name == "困难帮扶").first()
    assert own.private and own.enabled and own.key.startswith("own_")
    public_order = place["categories"]["public_order"]
    await client.post(f"{URL}/{public_order.id}", headers=PAGE, data={
        "_csrf_token": token, "name": "市容秩序", "accept_hours": "24", "resolve_hours": "72",
        "default_party": "grid"})
    offered = {c.name for c in await categories.enabled(place["scope"])}
    assert "困难帮扶" in offered and "市容秩序" not in offered


async def test_only_admins_open_it(client, place, sign_in):
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    assert (await client.get(URL, headers=PAGE)).status_code == 403
