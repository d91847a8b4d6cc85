"""POST requests and tokens/{token}: a client's service request enters the feedback loop
like any other item, once per request however often the client sends it; every bad input
gets the spec's error, in the format asked for."""

import json
from xml.etree import ElementTree

import pytest

from core.accounts import credentials
from core.accounts.tables import Person
from core.feedback.tables import FeedbackItem, TimelineEntry
from core.open311 import services as open311
from core.open311.services import Attribute, Value
from tests.core.open311.conftest import BASE, LAT, LONG


def errors_of(response) -> list[dict]:
    """The spec's errors, from either format."""
    if response.headers["content-type"].startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def answer_of(response) -> dict:
    """The one <request> of a POST's or a token's answer, from either format."""
    if response.headers["content-type"].startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_requests" and [child.tag for child in root] == ["request"]
        return {child.tag: child.text for child in root[0]}
    rows = response.json()
    assert len(rows) == 1
    return rows[0]


async def test_a_posted_request_enters_the_feedback_loop(post, district):
    response = await post("json", phone="139 0000 0021", first_name="芳", last_name="刘", address_string="北大街12号",
                          media_url="https://photos.example.cn/12.jpg", device_id="ios-7f3a", account_id="u-88")
    assert response.status_code == 201
    answer = response.json()[0]
    assert list(answer) == ["service_request_id", "token", "service_notice", "account_id"]
    assert answer["service_request_id"].startswith("QD-") and answer["account_id"] == "u-88"
    assert answer["service_notice"] == "Accepted within 24 hours and resolved within 72 hours of being raised."
    item = await district["scope"].objects(FeedbackItem).first()
    # The resident is found by the phone number, and the item goes where their own items go.
    assert (item.tracking_number, item.source, item.submitter) == (
        answer["service_request_id"], "open311", district["resident"].id)
    assert (item.category, item.state, item.public) == (district["categories"]["sanitation"].id, "submitted", True)
    assert (item.address, item.latitude, item.longitude) == ("北大街12号", LAT, LONG)
    assert (item.grid_id, item.party_type, item.party_id) == (district["grid"].id, "grid", district["grid"].id)
    text, block = item.description.split("\n\n[Open311]\n")
    assert text == "北大街12号门口垃圾三天没人清运。"
    assert block.splitlines() == ["client: 12345热线", "first_name: 芳", "last_name: 刘", "phone: 139 0000 0021",
                                  "device_id: ios-7f3a", "account_id: u-88",
                                  "media_url: https://photos.example.cn/12.jpg"]
    assert answer["token"] == item.idempotency_key
    entries = await district["scope"].objects(TimelineEntry).where(TimelineEntry.item == item.id)
    assert [(e.action, e.to_state) for e in entries] == [("submit", "submitted")]


async def test_the_same_post_sent_again_is_the_same_item(post, district):
    first = await post("json")
    again = await post("xml")  # a retry may even ask for the other format
    assert (first.status_code, again.status_code) == (201, 200)
    assert answer_of(again)["service_request_id"] == first.json()[0]["service_request_id"]
    assert await district["scope"].count(FeedbackItem) == 1
    other = await post("json", description="北大街12号门口垃圾又堆起来了。")
    assert other.status_code == 201 and other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert await district["scope"].count(FeedbackItem) == 2


async def test_the_answer_in_xml_is_the_specs(post):
    response = await post("xml")
    assert response.status_code == 201 and response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    answer = answer_of(response)
    assert list(answer) == ["service_request_id", "token", "service_notice", "account_id"]
    assert answer["account_id"] is None and answer["service_request_id"].startswith("QD-")


async def test_a_new_phone_number_gets_an_account_without_a_password(post, district):
    response = await post("json", phone="+86 137-0000-0099", first_name="三", last_name="张")
    assert response.status_code == 201
    person = await Person.objects().where(Person.phone == "13700000099").first()
    assert (person.display_name, person.password_hash) == ("张三", None)
    item = await district["scope"].objects(FeedbackItem).first()
    assert item.submitter == person.id
    # No home in the district yet: the item goes to district supervision, to be passed on.
    assert (item.party_type, item.party_id) == ("supervision", None)


async def test_an_email_address_finds_or_makes_the_person(post, district):
    await post("json", email="Li.Na@Example.cn", first_name="Na", last_name="Li")
    person = await Person.objects().where(Person.email == "li.na@example.cn").first()
    assert person.display_name == "Na Li" and person.password_hash is None
    assert (await district["scope"].objects(FeedbackItem).first()).submitter == person.id


async def test_without_a_usable_contact_the_item_is_the_client_keys(post, district):
    people = await Person.count()
    response = await post("json", phone="+1 555 0100", first_name="Ann")
    assert response.status_code == 201
    assert await Person.count() == people  # a number that is not a mainland mobile makes no account
    item = await district["scope"].objects(FeedbackItem).first()
    assert item.submitter == district["admin"].id
    assert "phone: +1 555 0100" in item.description and "first_name: Ann" in item.description


async def test_a_description_is_optional(post, district):
    response = await post("json", description=None, address_string="人民路口", lat=None, long=None)
    assert response.status_code == 201
    item = await district["scope"].objects(FeedbackItem).first()
    assert item.description.startswith("环境卫生\n\n[Open311]\n") and item.latitude is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_token_leads_to_its_request(fmt, post, client):
    posted = (await post("json")).json()[0]
    response = await client.get(f"{BASE}/tokens/{posted['token']}.{fmt}")
    assert response.status_code == 200
    assert answer_of(response) == {"service_request_id": posted["service_request_id"], "token": posted["token"]}
    unknown = await client.get(f"{BASE}/tokens/o311-{'0' * 48}.{fmt}", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404
    assert errors_of(unknown) == [{"code": 404, "description": "There is no request with this token."}]


# Bad input: the spec's error, with the status as its code, in the format asked for -------------

BAD_INPUT = {
    "unknown service_code": ({"service_code": "potholes"}, 400, "service_code: There is no service potholes here."),
    "a private category": ({"service_code": "family"}, 400, "service_code: There is no service family here."),
    "no service_code": ({"service_code": ""}, 400, "service_code: This field is required."),
    "no location": ({"lat": None, "long": None}, 400,
                    "A location is required: lat and long, address_string or address_id."),
    "one coordinate": ({"long": None}, 400, "lat: Give both coordinates, or neither."),
    "coordinates outside the district": ({"lat": "39.9", "long": "116.4"}, 400,
                                         "lat: These coordinates are outside the district."),
    "not a coordinate": ({"lat": "north", "long": "108.7"}, 400, "lat: Enter a number."),
    "an over-long description": ({"description": "垃圾" * 2001}, 400,
                                 "description: At most 4000 characters (you typed 4002)."),
    "a media_url that is not a web address": ({"media_url": "file:///etc/passwd"}, 400,
                                              "media_url: Enter a web address starting with http:// or https://."),
    "no api_key": ({"api_key": None}, 403, "Send the api_key your district issued to your client."),
    "a made-up api_key": ({"api_key": "gz_c_made-up"}, 403, "This api_key is not valid (unknown or revoked)."),
    "another jurisdiction": ({"jurisdiction_id": "weicheng"}, 404,
                             "This endpoint serves the jurisdiction qindu only."),
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("case", BAD_INPUT, ids=str)
async def test_bad_input_gets_the_specs_error(case, fmt, post, district):
    fields, status, description = BAD_INPUT[case]
    response = await post(fmt, **fields)
    assert response.status_code == status, response.text
    assert errors_of(response) == [{"code": status, "description": description}]
    assert await district["scope"].count(FeedbackItem) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_revoked_keys_person_tokens_and_keys_without_the_scope_are_refused(fmt, post, district, make_person):
    revoked = await credentials.issue("client", "旧热线", ["open311:write"], tenant_id=district["tenant"].id,
                                      person_id=district["admin"].id)
    await credentials.revoke(revoked.credential.id, tenant_id=district["tenant"].id)
    person_token = await credentials.issue("person", "我的", ["open311:write"], tenant_id=district["tenant"].id,
                                           person_id=district["resident"].id)
    narrow = await credentials.issue("client", "只读", ["organisation:read"], tenant_id=district["tenant"].id,
                                     person_id=district["admin"].id)
    for token, description in (
            (revoked.token, "This api_key is not valid (unknown or revoked)."),
            (person_token.token, "Send a client key issued by the district as api_key, not a person's token."),
            (narrow.token, "This token lacks the scope open311:write.")):
        response = await post(fmt, api_key=token)
        assert response.status_code == 403
        assert errors_of(response) == [{"code": 403, "description": description}]
    assert await district["scope"].count(FeedbackItem) == 0


async def test_a_session_cookie_is_not_an_api_key(client, district, sign_in, post):
    await sign_in(client, "13900000001")  # the admin who issued the key
    response = await post("json", api_key=None)
    assert response.status_code == 403 and errors_of(response)[0]["code"] == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_key_past_its_limit_waits(fmt, post, app, district):
    throttle = app.state.throttle
    for _ in range(open311.PER_KEY.count):
        await throttle.hit(open311.PER_KEY, str(district["credential"].id))
    response = await post(fmt)
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert errors_of(response)[0]["description"].startswith("This api_key made too many requests.")
    assert await district["scope"].count(FeedbackItem) == 0


# Attributes ---------------------------------------------------------------------------------


@pytest.fixture
def attributes():
    open311.register_attributes("sanitation", [
        Attribute("BIN", "singlevaluelist", "Which bin?", required=True, order=1,
                  values=(Value("kitchen", "厨余垃圾"), Value("other", "其他垃圾"))),
        Attribute("NOTE", "string", "Anything else we should know?", order=2),
        Attribute("INFO", "text", "Bins are emptied daily.", variable=False, order=3),
    ])
    yield
    open311.ATTRIBUTES.pop("sanitation", None)


async def test_a_service_with_attributes_renders_them(client, district, attributes):
    services = (await client.get(f"{BASE}/services.json")).json()
    assert [s["metadata"] for s in services if s["service_code"] == "sanitation"] == [True]
    definition = (await client.get(f"{BASE}/services/sanitation.json")).json()
    assert definition["service_code"] == "sanitation"
    assert definition["attributes"][0] == {
        "variable": True, "code": "BIN", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "Which bin?",
        "values": [{"key": "kitchen", "name": "厨余垃圾"}, {"key": "other", "name": "其他垃圾"}]}
    assert [a["code"] for a in definition["attributes"]] == ["BIN", "NOTE", "INFO"]
    root = ElementTree.fromstring((await client.get(f"{BASE}/services/sanitation.xml")).content)
    first = root.find("attributes/attribute")
    assert [child.tag for child in first] == ["variable", "code", "datatype", "required", "datatype_description",
                                              "order", "description", "values"]
    assert [(v.findtext("key"), v.findtext("name")) for v in first.findall("values/value")] == [
        ("kitchen", "厨余垃圾"), ("other", "其他垃圾")]


async def test_attributes_are_checked_and_kept_for_staff(post, district, attributes):
    missing = await post("json")
    assert errors_of(missing) == [{"code": 400, "description": "attribute[BIN]: This field is required."}]
    wrong = await post("xml", **{"attribute[BIN]": "glass"})
    assert errors_of(wrong) == [{"code": 400, "description": "attribute[BIN]: Choose one of the list."}]
    posted = await post("json", **{"attribute[BIN]": "kitchen", "attribute[NOTE]": "桶盖坏了"})
    assert posted.status_code == 201
    item = await district["scope"].objects(FeedbackItem).first()
    assert item.description.endswith("attribute[BIN]: kitchen\nattribute[NOTE]: 桶盖坏了")


def test_an_attribute_has_one_of_the_specs_datatypes():
    with pytest.raises(ValueError):
        Attribute("X", "colour", "?")


async def test_the_answer_is_utf8_json(post):
    response = await post("json", description="井盖丢失，十分危险！")
    assert json.loads(response.content.decode("utf-8"))[0]["service_request_id"]
