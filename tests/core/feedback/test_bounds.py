"""A district's bounds: coordinates sent with feedback outside them are refused on
"latitude"; a district without bounds takes any coordinates in range."""

import pytest

from core.accounts import credentials
from core.errors import ValidationFailed
from core.feedback import services
from tenants import bounds

QINDU = bounds.Bounds(south=34.28, west=108.55, north=34.42, east=108.78)


def _data(place, **changes):
    return {"category": str(place["categories"]["sanitation"].id), "description": "路灯坏了。", **changes}


async def test_without_bounds_any_coordinates_in_range_are_taken(place, tenant):
    assert await bounds.of(tenant.id) is None
    submission = await services.clean(place["scope"], _data(place, latitude="39.9", longitude="116.4"),
                                      person_id=place["resident"].id)
    assert (submission.latitude, submission.longitude) == (39.9, 116.4)


async def test_coordinates_outside_the_district_are_refused_on_latitude(place, tenant):
    await bounds.save(tenant.id, QINDU)
    assert await bounds.of(tenant.id) == QINDU
    inside = await services.clean(place["scope"], _data(place, latitude="34.3312", longitude="108.7055"),
                                  person_id=place["resident"].id)
    assert (inside.latitude, inside.longitude) == (34.3312, 108.7055)
    edge = await services.clean(place["scope"], _data(place, latitude="34.28", longitude="108.78"),
                                person_id=place["resident"].id)
    assert edge.latitude == 34.28  # the bounds themselves are inside
    for latitude, longitude in (("39.9", "116.4"), ("34.35", "108.9"), ("34.2", "108.7")):
        with pytest.raises(ValidationFailed) as refused:
            await services.clean(place["scope"], _data(place, latitude=latitude, longitude=longitude),
                                 person_id=place["resident"].id)
        assert {k: m.msgid for k, m in refused.value.errors.items()} == {
            "latitude": "These coordinates are outside the district."}
    # No coordinates at all: nothing to check.
    assert (await services.clean(place["scope"], _data(place), person_id=place["resident"].id)).latitude is None
    # Cleared, they check nothing again.
    await bounds.save(tenant.id, None)
    assert await bounds.of(tenant.id) is None


async def test_the_api_names_latitude_and_keeps_nothing(client, place, tenant):
    await bounds.save(tenant.id, QINDU)
    issued = await credentials.issue("person", "手机", ["feedback:write"], tenant_id=tenant.id,
                                     person_id=place["resident"].id)
    refused = await client.post("/api/v1/t/qindu/feedback", json={
        "category": place["categories"]["sanitation"].id, "description": "路灯坏了。", "latitude": 31.23,
        "longitude": 121.47}, headers={"Authorization": f"Bearer {issued.token}", "Idempotency-Key": "phone-bounds1",
                                       "Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"latitude": "These coordinates are outside the district."}


async def test_the_grid_workers_form_says_so_next_to_the_place(client, place, tenant, sign_in):
    from tests.http import post_form

    await bounds.save(tenant.id, QINDU)
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    page = await post_form(client, "/t/qindu/console/feedback/new", {
        **_data(place, latitude="31.23", longitude="121.47"), "idempotency_key": "form-bounds-1",
        "resident_name": "周大爷", "resident_phone": "13900000077", "resident_agreed": "1"},
        headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 422
    assert '<p class="error" id="e-latitude" role="alert">' in page.text and "路灯坏了。" in page.text
    assert 'name="latitude" value="31.23"' in page.text


def test_the_bounds_form_takes_all_four_sides_or_none():
    assert bounds.clean({"south": "34.28", "west": "108.55", "north": "34.42", "east": "108.78"}) == QINDU
    assert bounds.clean({"south": " ", "west": "", "north": "", "east": ""}) is None
    with pytest.raises(ValidationFailed) as refused:
        bounds.clean({"south": "34.28", "west": "", "north": "34.42", "east": ""})
    assert {k: m.msgid for k, m in refused.value.errors.items()} == {
        "west": "Give all four bounds, or none.", "east": "Give all four bounds, or none."}
    with pytest.raises(ValidationFailed) as refused:
        bounds.clean({"south": "-91", "west": "北", "north": "90", "east": "181"})
    assert {k: m.msgid for k, m in refused.value.errors.items()} == {
        "south": "Enter a number from %(low)s to %(high)s.", "west": "Enter a number.",
        "east": "Enter a number from %(low)s to %(high)s."}
    with pytest.raises(ValidationFailed) as refused:
        bounds.clean({"south": "34.42", "west": "108.78", "north": "34.28", "east": "108.78"})
    assert {k: m.msgid for k, m in refused.value.errors.items()} == {
        "north": "North must be greater than south.", "east": "East must be greater than west."}
