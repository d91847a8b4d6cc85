"""Discovery, services and reading service requests: the district's public categories and
items, in both formats, with the spec's fields; private categories never appear; bad
filters get the spec's errors."""

from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from core import clock
from core.accounts import credentials
from core.config import Settings
from core.feedback import categories, services as feedback, workflow
from core.feedback.tables import FeedbackCategory, FeedbackItem
from core.open311 import services as open311
from tests.core.open311.conftest import BASE, LAT, LONG
from tests.core.open311.test_posting import errors_of

EN = {"Accept-Language": "en"}
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "lat", "long", "media_url"]


def rows_of(response, row: str) -> list[dict]:
    """The rows of a list answer, from either format (XML values as text)."""
    if response.headers["content-type"].startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert all(child.tag == row for child in root)
        return [{field.tag: field.text for field in child} for child in root]
    return response.json()


async def app_item(district, key: str, *, category: str = "sanitation", public: bool = False, **fields):
    """An item a resident raised in the app."""
    scope = district["scope"]
    data = {"category": str(district["categories"][category].id), "description": "楼道堆放杂物，影响通行。",
            "address": "北大街3号楼", "latitude": str(LAT), "longitude": str(LONG), "public": "1" if public else "",
            **fields}
    submission = await feedback.clean(scope, data, person_id=district["resident"].id)
    item, _new = await feedback.submit(Settings.from_env(), scope, "qindu", district["resident"].id, submission,
                                       idempotency_key=key)
    return item


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_discovery_names_the_endpoint_and_its_formats(fmt, client, district):
    response = await client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        found = response.json()
        endpoint = found["endpoints"][0]
        formats = endpoint["formats"]
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == "discovery"
        found = {child.tag: child.text for child in root}
        endpoint = {child.tag: child.text for child in root.find("endpoints/endpoint")}
        formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert list(found) == ["changeset", "contact", "key_service", "endpoints"]
    assert found["changeset"].endswith("+08:00") and "/t/qindu/console/keys" in found["key_service"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/t/qindu/open311/v2") and formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_services_are_the_districts_public_enabled_categories(fmt, client, district):
    scope = district["scope"]
    await scope.update(FeedbackCategory, {FeedbackCategory.enabled: False}).where(
        FeedbackCategory.key == "question")
    own = await categories.add(scope, {"name": "井盖缺失", "accept_hours": "2", "resolve_hours": "24",
                                       "default_party": "street"}, actor_id=district["admin"].id)
    response = await client.get(f"{BASE}/services.{fmt}", headers=EN)
    assert response.status_code == 200
    rows = rows_of(response, "service")
    assert [r["service_code"] for r in rows] == [
        "sanitation", "public_order", "facilities", "property", "neighbours", "suggestion", own.key]
    assert all(list(r) == SERVICE_FIELDS for r in rows)
    sanitation, mine = rows[0], rows[-1]
    assert (sanitation["service_name"], sanitation["group"], sanitation["type"]) == (
        "环境卫生", "City management", "realtime")
    assert str(sanitation["metadata"]).lower() == "false" and sanitation["keywords"] == "sanitation, 环境卫生"
    assert sanitation["description"] == "Accepted within 24 hours and resolved within 72 hours of being raised."
    assert (mine["service_name"], mine["group"]) == ("井盖缺失", "The district's own")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_service_definition_with_no_attributes(fmt, client, district):
    response = await client.get(f"{BASE}/services/sanitation.{fmt}")
    if fmt == "json":
        assert response.json() == {"service_code": "sanitation", "attributes": []}
    else:
        root = ElementTree.fromstring(response.content)
        assert (root.tag, root.findtext("service_code"), list(root.find("attributes"))) == (
            "service_definition", "sanitation", [])


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_and_private_services_are_not_found(fmt, client, district):
    for code in ("potholes", "family"):
        response = await client.get(f"{BASE}/services/{code}.{fmt}", headers=EN)
        assert response.status_code == 404
        assert errors_of(response) == [{"code": 404, "description": f"There is no service {code} here."}]
    without_format = await client.get(f"{BASE}/services/sanitation", headers=EN)
    assert without_format.status_code == 404 and errors_of(without_format)[0]["code"] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_requests_show_the_feedback_loop_in_the_specs_terms(fmt, client, district, post):
    scope = district["scope"]
    quiet = await app_item(district, "app-000001")  # the resident did not let it be shown
    shown = await app_item(district, "app-000002", public=True)
    posted = (await post("json", address_string="北大街12号", media_url="https://photos.example.cn/12.jpg",
                         phone="13900000021")).json()[0]
    await workflow.accept(scope, "qindu", shown.id, actor_id=district["admin"].id, revision=1)
    await workflow.resolve(scope, "qindu", shown.id, actor_id=district["admin"].id, revision=2,
                           what_was_done="杂物已清走。", settings=Settings.from_env())
    response = await client.get(f"{BASE}/requests.{fmt}", headers=EN)
    assert response.status_code == 200
    rows = {r["service_request_id"]: r for r in rows_of(response, "request")}
    assert list(rows) == [posted["service_request_id"], shown.tracking_number, quiet.tracking_number]  # newest first
    assert all(list(r) == REQUEST_FIELDS for r in rows.values())
    hidden = rows[quiet.tracking_number]
    assert (hidden["status"], hidden["status_notes"], hidden["service_code"]) == ("open", "Submitted", "sanitation")
    assert [hidden[f] for f in ("description", "address", "lat", "long", "media_url")] == [None] * 5
    assert hidden["agency_responsible"] == "第1网格"
    assert hidden["requested_datetime"].endswith("+08:00")
    assert datetime.fromisoformat(hidden["expected_datetime"]) == quiet.resolve_due.replace(microsecond=0)
    resolved = rows[shown.tracking_number]
    assert (resolved["status"], resolved["status_notes"]) == ("closed", "Resolved: 杂物已清走。")
    assert (resolved["description"], resolved["address"]) == ("楼道堆放杂物，影响通行。", "北大街3号楼")
    assert float(resolved["lat"]) == LAT and float(resolved["long"]) == LONG
    mine = rows[posted["service_request_id"]]
    # What the client posted is public; the block for staff (the phone number) never is.
    assert (mine["description"], mine["address"], mine["media_url"]) == (
        "北大街12号门口垃圾三天没人清运。", "北大街12号", "https://photos.example.cn/12.jpg")
    assert "13900000021" not in response.text and "[Open311]" not in response.text


async def test_closed_means_rejected_resolved_or_closed(client, district):
    scope, admin = district["scope"], district["admin"].id
    items = [await app_item(district, f"app-00000{n}") for n in range(4)]
    await workflow.reject(scope, "qindu", items[0].id, actor_id=admin, revision=1, reason="重复",
                          settings=Settings.from_env())
    await workflow.accept(scope, "qindu", items[1].id, actor_id=admin, revision=1)
    await workflow.start(scope, "qindu", items[1].id, actor_id=admin, revision=2)
    await workflow.assign(scope, "qindu", items[2].id, actor_id=admin, revision=1, party_type="street",
                          party_id=district["street"].id, settings=Settings.from_env())
    closed = rows_of(await client.get(f"{BASE}/requests.json?status=closed", headers=EN), "request")
    assert [(r["service_request_id"], r["status_notes"]) for r in closed] == [
        (items[0].tracking_number, "Not accepted")]
    opened = rows_of(await client.get(f"{BASE}/requests.json?status=open", headers=EN), "request")
    assert {r["service_request_id"]: (r["status_notes"], r["agency_responsible"]) for r in opened} == {
        items[1].tracking_number: ("In progress", "第1网格"), items[2].tracking_number: ("Assigned", "人民街道"),
        items[3].tracking_number: ("Submitted", "第1网格")}
    both = rows_of(await client.get(f"{BASE}/requests.json?status=open,closed"), "request")
    assert len(both) == 4


async def test_private_categories_never_appear(client, district):
    private = await app_item(district, "app-000001", category="family", public=True)
    await app_item(district, "app-000002")
    rows = rows_of(await client.get(f"{BASE}/requests.json"), "request")
    assert [r["service_code"] for r in rows] == ["sanitation"]
    by_id = await client.get(f"{BASE}/requests.json?service_request_id={private.tracking_number}")
    assert by_id.json() == []
    one = await client.get(f"{BASE}/requests/{private.tracking_number}.xml")
    assert one.status_code == 404 and errors_of(one)[0]["code"] == 404


async def test_filters_the_default_window_and_ids_that_override_them(client, district):
    long_ago = clock.now() - timedelta(days=120)
    clock.set_now(long_ago)
    old = await app_item(district, "app-000001")
    clock.reset()
    recent = await app_item(district, "app-000002", category="facilities")
    listed = lambda response: [r["service_request_id"] for r in rows_of(response, "request")]  # noqa: E731
    assert listed(await client.get(f"{BASE}/requests.json")) == [recent.tracking_number]
    window = {"start_date": (long_ago - timedelta(days=1)).isoformat(), "end_date": (long_ago + timedelta(days=89)
                                                                                      ).isoformat()}
    assert listed(await client.get(f"{BASE}/requests.xml", params=window)) == [old.tracking_number]
    assert listed(await client.get(f"{BASE}/requests.json", params={"start_date": (
        long_ago - timedelta(days=1)).strftime("%Y-%m-%d")})) == [old.tracking_number]
    assert listed(await client.get(f"{BASE}/requests.json?service_code=facilities,public_order")) == [
        recent.tracking_number]
    assert listed(await client.get(f"{BASE}/requests.json?service_code=sanitation")) == []
    # A list of ids overrides every other filter.
    ids = f"{old.tracking_number},{recent.tracking_number},QD-2020-999999"
    assert sorted(listed(await client.get(f"{BASE}/requests.json", params={
        "service_request_id": ids, "service_code": "question", "status": "closed"}))) == sorted(
        [old.tracking_number, recent.tracking_number])


async def test_at_most_a_thousand_rows(client, district):
    scope = district["scope"]
    item = await app_item(district, "app-000001")
    template = {column._meta.name: getattr(item, column._meta.name) for column in FeedbackItem._meta.columns
                if column._meta.name not in ("id", "tenant_id")}
    await scope.insert_many(FeedbackItem, [
        {**template, "tracking_number": f"QD-2026-9{n:05d}", "idempotency_key": f"bulk-{n:06d}"}
        for n in range(open311.MAX_ROWS)])
    rows = (await client.get(f"{BASE}/requests.json")).json()
    assert len(rows) == open311.MAX_ROWS


BAD_FILTERS = {
    "a malformed start_date": ({"start_date": "yesterday"},
                               "start_date: Enter a date and time in W3C format, like 2026-01-01T00:00:00+08:00."),
    "a malformed end_date": ({"end_date": "2026-13-45T00:00:00Z"},
                             "end_date: Enter a date and time in W3C format, like 2026-01-01T00:00:00+08:00."),
    "a range over 90 days": ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:01+08:00"},
                             "start_date and end_date may be at most 90 days apart."),
    "a range backwards": ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
                          "start_date must come before end_date."),
    "an unknown status": ({"status": "pending"}, "status: Open or closed, or both separated by a comma."),
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("case", BAD_FILTERS, ids=str)
async def test_bad_filters_get_the_specs_error(case, fmt, client, district):
    params, description = BAD_FILTERS[case]
    response = await client.get(f"{BASE}/requests.{fmt}", params=params, headers=EN)
    assert response.status_code == 400
    assert errors_of(response) == [{"code": 400, "description": description}]


def test_a_range_of_exactly_90_days_is_allowed():
    query = open311.clean_query({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00+08:00"})
    assert query.end - query.start == timedelta(days=90)
    assert query.start == datetime(2025, 12, 31, 16, tzinfo=timezone.utc)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_one_request(fmt, client, district):
    item = await app_item(district, "app-000001", public=True)
    response = await client.get(f"{BASE}/requests/{item.tracking_number}.{fmt}")
    assert response.status_code == 200
    [row] = rows_of(response, "request")
    assert list(row) == REQUEST_FIELDS and row["service_request_id"] == item.tracking_number
    unknown = await client.get(f"{BASE}/requests/QD-2020-000404.{fmt}", headers=EN)
    assert unknown.status_code == 404
    assert errors_of(unknown) == [{"code": 404, "description": "There is no request QD-2020-000404 here."}]


async def test_reading_needs_no_key_but_a_key_sent_must_be_valid(client, district):
    assert (await client.get(f"{BASE}/services.json", params={"api_key": district["key"]})).status_code == 200
    refused = await client.get(f"{BASE}/requests.xml", params={"api_key": "gz_c_nonsense"}, headers=EN)
    assert refused.status_code == 403
    assert errors_of(refused) == [{"code": 403, "description": "This api_key is not valid (unknown or revoked)."}]
    await credentials.revoke(district["credential"].id, tenant_id=district["tenant"].id)
    assert (await client.get(f"{BASE}/services.json", params={"api_key": district["key"]})).status_code == 403
    assert (await client.get(f"{BASE}/services.json", params={"jurisdiction_id": "qindu"})).status_code == 200
    assert (await client.get(f"{BASE}/services.json", params={"jurisdiction_id": "xianyang"})).status_code == 404


async def test_an_unknown_or_suspended_district_answers_in_the_specs_format(client, district, make_tenant):
    missing = await client.get("/t/nowhere/open311/v2/services.xml")
    assert missing.status_code == 404 and errors_of(missing)[0]["code"] == 404
    await make_tenant("xingping", "兴平市", "610481", status="suspended")
    suspended = await client.get("/t/xingping/open311/v2/requests.json")
    assert suspended.status_code == 423 and errors_of(suspended)[0]["code"] == 423


async def test_the_open311_endpoints_are_in_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    base = "/t/{slug}/open311/v2"
    assert {f"{base}/discovery.xml", f"{base}/discovery.json", f"{base}/services.xml", f"{base}/services.json",
            f"{base}/services/{{service_code}}", f"{base}/requests.xml", f"{base}/requests.json",
            f"{base}/requests/{{service_request_id}}", f"{base}/tokens/{{token}}"} <= set(paths)
    posting = paths[f"{base}/requests.json"]["post"]
    assert "application/x-www-form-urlencoded" in posting["requestBody"]["content"]
    assert "open311" in posting["tags"]
