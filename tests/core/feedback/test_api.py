"""The feedback JSON API: a resident submits with an Idempotency-Key, follows, rates and
reopens; staff move items with the revision they saw (409 when stale or not allowed);
bad fields answer 422 naming each; a private item is its submitter's and its party's alone."""

import pytest

from core.accounts import credentials, services as accounts
from core.config import Settings
from core.feedback import workflow
from core.feedback.tables import FeedbackItem
from tenants.tables import Community

API = "/api/v1/t/qindu/feedback"
SCOPES = ["feedback:read", "feedback:write"]


@pytest.fixture
def token(tenant):
    async def token(person, scopes=SCOPES, kind="person"):
        issued = await credentials.issue(kind, "手机", scopes, tenant_id=tenant.id, person_id=person.id)
        return {"Authorization": f"Bearer {issued.token}", "Accept-Language": "en"}

    return token


def _body(place, **changes):
    return {"category": place["categories"]["sanitation"].id, "description": "楼道堆放杂物，影响通行。", **changes}


async def test_the_same_key_and_body_is_one_item_and_another_body_is_refused(client, place, token):
    headers = await token(place["resident"])
    first = await client.post(API, json=_body(place), headers={**headers, "Idempotency-Key": "phone-0000001"})
    assert first.status_code == 201, first.text
    item = first.json()
    assert item["tracking_number"].startswith("QD-") and item["state"] == "submitted" and item["revision"] == 1
    assert item["grid"] == place["grid"].id and item["community"] == place["community"].id  # the resident's own
    assert [entry["action"] for entry in item["timeline"]] == ["submit"]
    again = await client.post(API, json=_body(place), headers={**headers, "Idempotency-Key": "phone-0000001"})
    assert again.status_code == 200 and again.json()["id"] == item["id"]
    other = await client.post(API, json=_body(place, description="另一件事。"),
                              headers={**headers, "Idempotency-Key": "phone-0000001"})
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["detail"] == "This submission key was already used for a different submission."
    assert await place["scope"].count(FeedbackItem) == 1


async def test_a_missing_key_and_bad_fields_are_named_together(client, place, token):
    headers = await token(place["resident"])
    refused = await client.post(API, json={"description": "", "latitude": 91, "longitude": 108.7}, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    errors = refused.json()["errors"]
    assert set(errors) == {"Idempotency-Key", "category", "description", "latitude"}
    assert errors["Idempotency-Key"] == "Send an Idempotency-Key header of 8 to 64 letters, digits, - or _."
    short = await client.post(API, json=_body(place), headers={**headers, "Idempotency-Key": "short"})
    assert short.status_code == 422 and set(short.json()["errors"]) == {"Idempotency-Key"}
    not_json = await client.post(API, content=b"category=1", headers={
        **headers, "Idempotency-Key": "phone-0000002", "Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 400 and not_json.json()["detail"] == "Send a JSON object as the body."
    assert await place["scope"].count(FeedbackItem) == 0


async def test_the_resident_lists_and_reads_their_own_items_only(client, place, token, make_person, submit):
    item, _ = await submit()
    mine = await client.get(API, headers=await token(place["resident"]))
    assert mine.status_code == 200
    assert [(i["id"], i["state"], i["state_label"]) for i in mine.json()["items"]] == [
        (item.id, "submitted", "Submitted")]
    detail = await client.get(f"{API}/{item.id}", headers=await token(place["resident"]))
    assert detail.json()["description"] == "楼道堆放杂物，影响通行。"
    stranger = await make_person("陈静", "13900000099")
    await accounts.add_membership(place["scope"], stranger.id, ["resident"], "grid", place["grid"].id)
    assert (await client.get(API, headers=await token(stranger))).json() == {"items": []}
    assert (await client.get(f"{API}/{item.id}", headers=await token(stranger))).status_code == 404
    assert (await client.post(f"{API}/{item.id}/rate", json={"rating": 5},
                              headers=await token(stranger))).status_code == 404


async def test_staff_move_items_with_the_revision_they_saw(client, place, token, submit):
    item, _ = await submit()
    staff = await token(place["grid_worker"])
    queue = await client.get(f"{API}/queue?state=submitted", headers=staff)
    assert queue.status_code == 200
    assert [(i["id"], i["revision"], i["party"]) for i in queue.json()["items"]] == [
        (item.id, 1, {"type": "grid", "id": place["grid"].id})]
    accepted = await client.post(f"{API}/{item.id}/accept", json={"revision": 1}, headers=staff)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["state"], accepted.json()["revision"]) == ("accepted", 2)
    # A second "accept" on the page someone else already acted on: stale.
    stale = await client.post(f"{API}/{item.id}/start", json={"revision": 1}, headers=staff)
    assert stale.status_code == 409
    assert stale.json()["detail"] == "Someone else changed this item meanwhile. Look at it again before you act."
    # Fresh revision, but not a move the state allows.
    disallowed = await client.post(f"{API}/{item.id}/accept", json={"revision": 2}, headers=staff)
    assert disallowed.status_code == 409
    assert disallowed.json()["detail"] == "This cannot be done to an item that is Accepted for handling."
    no_revision = await client.post(f"{API}/{item.id}/start", json={}, headers=staff)
    assert no_revision.status_code == 422 and set(no_revision.json()["errors"]) == {"revision"}
    no_party = await client.post(f"{API}/{item.id}/assign", json={"revision": 2, "party": "nowhere:1"},
                                 headers=staff)
    assert no_party.status_code == 422 and set(no_party.json()["errors"]) == {"party"}
    no_note = await client.post(f"{API}/{item.id}/resolve", json={"revision": 2}, headers=staff)
    assert no_note.status_code == 422 and no_note.json()["errors"] == {"note": "This field is required."}
    assert (await client.post(f"{API}/{item.id}/fly", json={"revision": 2}, headers=staff)).status_code == 404
    resolved = await client.post(f"{API}/{item.id}/resolve", json={"revision": 2, "note": "已清理。"}, headers=staff)
    assert resolved.json()["state"] == "resolved"
    assert [e["action"] for e in resolved.json()["timeline"]] == ["submit", "accept", "resolve"]
    assert resolved.json()["timeline"][-1]["note"] == "已清理。"
    # The resident rates: out of range, then 2; then reopens, saying why.
    resident = await token(place["resident"])
    six = await client.post(f"{API}/{item.id}/rate", json={"rating": 6}, headers=resident)
    assert six.status_code == 422 and six.json()["errors"] == {"rating": "Choose from 1 to 5 stars."}
    rated = await client.post(f"{API}/{item.id}/rate", json={"rating": 2, "comment": "没清理干净。"},
                              headers=resident)
    assert (rated.json()["state"], rated.json()["rating"], rated.json()["may_reopen"]) == ("closed", 2, True)
    no_reason = await client.post(f"{API}/{item.id}/reopen", json={}, headers=resident)
    assert no_reason.status_code == 422 and set(no_reason.json()["errors"]) == {"reason"}
    reopened = await client.post(f"{API}/{item.id}/reopen", json={"reason": "还有杂物。"}, headers=resident)
    assert (reopened.json()["state"], reopened.json()["rating"]) == ("reopened", None)
    # Staff cannot rate, residents cannot accept.
    assert (await client.post(f"{API}/{item.id}/start", json={"revision": 6},
                              headers=resident)).status_code == 404


async def test_staff_elsewhere_get_403_and_a_private_item_404(client, place, token, submit, make_person):
    other = await place["scope"].create(Community, street=place["street"].id, name="民生路社区")
    elsewhere = await make_person("孙强", "13900000032")
    await accounts.add_membership(place["scope"], elsewhere.id, ["staff"], "community", other.id)
    item, _ = await submit()
    private, _ = await submit(key="key-private1", category=str(place["categories"]["family"].id),
                              description="家中老人需要照护。")
    staff = await token(elsewhere)
    assert (await client.get(f"{API}/{item.id}", headers=staff)).status_code == 403
    assert (await client.post(f"{API}/{item.id}/accept", json={"revision": 1}, headers=staff)).status_code == 403
    assert (await client.get(f"{API}/queue", headers=staff)).json() == {"items": []}
    for person in (elsewhere, place["admin"], place["grid_worker"]):  # none of them is its party
        headers = await token(person)
        assert (await client.get(f"{API}/{private.id}", headers=headers)).status_code == 404
        assert (await client.post(f"{API}/{private.id}/accept", json={"revision": 1},
                                  headers=headers)).status_code == 404
    assert private.id not in [i["id"] for i in (await client.get(f"{API}/queue", headers=await token(
        place["admin"]))).json()["items"]]
    # Its submitter and its party (the community) read it, the sealed text opened for them.
    own = await client.get(f"{API}/{private.id}", headers=await token(place["resident"]))
    assert own.json()["description"] == "家中老人需要照护。" and own.json()["private"] is True
    party = await token(place["community_staff"])
    assert (await client.get(f"{API}/{private.id}", headers=party)).json()["description"] == "家中老人需要照护。"
    # Passed on to the street, it is no longer theirs: the answer shows the move, not the text.
    moved = await client.post(f"{API}/{private.id}/assign", headers=party, json={
        "revision": 1, "party": f"street:{place['street'].id}", "note": "请街道协调。"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["party"] == {"type": "street", "id": place["street"].id}
    assert moved.json()["description"] == "(sealed)" and moved.json()["timeline"][-1]["note"] == "(sealed)"
    assert (await client.get(f"{API}/{private.id}", headers=party)).status_code == 404


async def test_tokens_without_the_scope_or_a_person_are_refused(client, place, token, submit):
    item, _ = await submit()
    notices_only = await token(place["resident"], ["notices:read"])
    for method, path in (("GET", API), ("GET", f"{API}/{item.id}"), ("POST", API), ("GET", f"{API}/queue")):
        refused = await client.request(method, path, headers={**notices_only, "Idempotency-Key": "phone-0000003"},
                                       json=_body(place))
        assert refused.status_code == 403, (method, path)
        assert refused.json()["detail"] == "This token lacks the scope %s." % (
            "feedback:write" if method == "POST" else "feedback:read")
    read_only = await token(place["resident"], ["feedback:read"])
    assert (await client.get(API, headers=read_only)).status_code == 200
    assert (await client.post(f"{API}/{item.id}/rate", json={"rating": 5}, headers=read_only)).status_code == 403
    key = await token(place["admin"], SCOPES, kind="client")
    refused = await client.get(API, headers=key)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a person's token raises, follows or handles feedback."
    assert (await client.get(f"{API}/queue", headers=await token(place["resident"]))).status_code == 403
    assert (await client.get(API)).status_code == 401
    # Messages come in the language the client asks for (a rating is read once the item is resolved).
    worker = place["grid_worker"].id
    await workflow.accept(place["scope"], "qindu", item.id, actor_id=worker, revision=1)
    await workflow.resolve(place["scope"], "qindu", item.id, actor_id=worker, revision=2, what_was_done="已清理。",
                           settings=Settings.from_env())
    chinese = await client.post(f"{API}/{item.id}/rate", json={"rating": 6}, headers={
        **await token(place["resident"]), "Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and chinese.json()["errors"] == {"rating": "请选择 1 到 5 星。"}


async def test_a_bad_queue_filter_is_named(client, place, token):
    refused = await client.get(f"{API}/queue?state=lost", headers=await token(place["admin"]))
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"state"}


async def test_the_api_is_in_the_openapi_document(client):
    document = (await client.get("/schema/openapi.json")).json()
    paths = document["paths"]
    assert {"/api/v1/t/{slug}/feedback", "/api/v1/t/{slug}/feedback/queue", "/api/v1/t/{slug}/feedback/{item_id}",
            "/api/v1/t/{slug}/feedback/{item_id}/rate", "/api/v1/t/{slug}/feedback/{item_id}/reopen",
            "/api/v1/t/{slug}/feedback/{item_id}/{action}"} <= set(paths)
    submit = paths["/api/v1/t/{slug}/feedback"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in submit["parameters"]]
    assert submit["requestBody"]["content"]["application/json"]["schema"]["required"] == ["category", "description"]
    assert {"200", "201", "409", "422"} <= set(submit["responses"])
    assert "timeline" in document["components"]["schemas"]["FeedbackItemOut"]["properties"]
