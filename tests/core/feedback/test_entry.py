"""A grid worker enters an item for a resident who does not use the app."""

from core.accounts import services as accounts
from core.accounts.tables import Person
from core.feedback.tables import FeedbackItem, TimelineEntry
from core.web.static import static_url
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


async def _form(client):
    page = await client.get("/t/qindu/console/feedback/new", headers=PAGE)
    assert page.status_code == 200
    import re

    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return csrf_token(page.text), key


async def test_a_grid_worker_enters_an_item_for_a_new_resident_once(client, place, sign_in, jobs):
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    token, key = await _form(client)
    data = {"_csrf_token": token, "idempotency_key": key, "resident_name": "周大爷", "resident_phone": "13900000077",
            "resident_agreed": "1", "category": str(place["categories"]["sanitation"].id),
            "description": "楼下垃圾桶满了。"}
    first = await client.post("/t/qindu/console/feedback/new", headers=PAGE, data=data)
    again = await client.post("/t/qindu/console/feedback/new", headers=PAGE, data=data)  # a double tap
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    resident = await Person.objects().where(Person.phone == "13900000077").first()
    assert resident.display_name == "周大爷" and resident.password_hash is None
    items = await place["scope"].objects(FeedbackItem).where(FeedbackItem.submitter == resident.id)
    assert len(items) == 1
    item = items[0]
    assert (item.entered_by, item.resident_agreed, item.source) == (place["grid_worker"].id, True, "grid_worker")
    assert (item.grid_id, item.community_id) == (place["grid"].id, place["community"].id)  # the worker's grid
    entry = await place["scope"].objects(TimelineEntry).where(TimelineEntry.item == item.id).first()
    assert entry.actor == place["grid_worker"].id
    places = await accounts.places_of(place["scope"], resident.id)
    assert [(p.unit_kind, p.unit_id, p.roles) for p in places] == [("grid", place["grid"].id, frozenset({"resident"}))]


async def test_an_existing_resident_is_found_by_their_number(client, place, sign_in):
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    token, key = await _form(client)
    moved = await client.post("/t/qindu/console/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "resident_name": "刘芳", "resident_phone": "139 0000 0021",
        "resident_agreed": "1", "category": str(place["categories"]["facilities"].id), "description": "路灯坏了。"})
    assert moved.status_code == 303
    item = await place["scope"].objects(FeedbackItem).first()
    assert item.submitter == place["resident"].id


async def test_the_form_refuses_without_the_residents_agreement_and_keeps_what_was_typed(client, place, sign_in):
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    token, key = await _form(client)
    refused = await client.post("/t/qindu/console/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "resident_name": "周大爷", "resident_phone": "12345",
        "category": "", "description": "楼下垃圾桶满了。"})
    assert refused.status_code == 422
    assert "请先记录居民已同意。" in refused.text and "请选择类别。" in refused.text
    assert 'aria-describedby="e-resident_phone"' in refused.text
    assert "楼下垃圾桶满了。" in refused.text and "周大爷" in refused.text
    assert await place["scope"].count(FeedbackItem) == 0
    assert await Person.count().where(Person.display_name == "周大爷") == 0


async def test_residents_cannot_enter_for_others(client, place, sign_in):
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    assert (await client.get("/t/qindu/console/feedback/new", headers=PAGE)).status_code == 403


async def test_the_form_offers_the_phones_location_and_keeps_it(client, place, sign_in):
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/feedback/new", headers=PAGE)
    script = static_url("js/place.js")  # the file's content-hashed name
    assert f'<script src="{script}" defer></script>' in page.text and "data-locate" in page.text
    assert (await client.get(script)).status_code == 200
    token, key = await _form(client)
    moved = await client.post("/t/qindu/console/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "resident_name": "周大爷", "resident_phone": "13900000077",
        "resident_agreed": "1", "category": str(place["categories"]["sanitation"].id), "description": "井盖松动。",
        "latitude": "34.331201", "longitude": "108.705512"})
    assert moved.status_code == 303
    item = await place["scope"].objects(FeedbackItem).first()
    assert (item.latitude, item.longitude) == (34.331201, 108.705512)
