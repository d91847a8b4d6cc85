"""The Atom feed of public notices, the print view with its QR code, and the JSON API."""

import xml.etree.ElementTree as ElementTree

from core.accounts import credentials
from core.web.static import static_url

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_the_feed_holds_public_notices_only(client, district, publish):
    await publish("冬季供暖提示", "注意 <b>安全</b> & 节能")
    await publish("北大街社区财务公开", audience=f"community:{district['north'].id}")
    page = await client.get("/t/qindu/notices")
    assert '<link rel="alternate" type="application/atom+xml"' in page.text
    assert 'href="/t/qindu/notices/feed.atom"' in page.text
    feed = await client.get("/t/qindu/notices/feed.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["冬季供暖提示"]
    content = root.find(f"{ATOM}entry/{ATOM}content").text
    assert "&lt;b&gt;" in content and "<b>" not in content  # raw HTML stayed text, then was escaped for XML


async def test_the_print_view_has_the_notice_and_a_qr_code_back_to_it(client, district, publish):
    notice = await publish("冬季供暖提示", "请注意用电安全。")
    response = await client.get(f"/t/qindu/notices/{notice.root}/print", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert "冬季供暖提示" in response.text and "请注意用电安全。" in response.text
    assert "<svg" in response.text and static_url("css/print.css") in response.text
    assert f"http://127.0.0.1:8000/t/qindu/notices/{notice.root}" in response.text
    hidden = await publish("北大街社区财务公开", audience=f"community:{district['north'].id}")
    assert (await client.get(f"/t/qindu/notices/{hidden.root}/print")).status_code == 404


async def test_the_api_lists_reads_and_marks_read_for_the_tokens_person(client, district, tenant, publish):
    public = await publish("冬季供暖提示")
    private = await publish("北大街社区财务公开", audience=f"community:{district['north'].id}")
    issued = await credentials.issue("person", "手机", ["notices:read"], tenant_id=tenant.id,
                                     person_id=district["north_resident"].id)
    headers = {"Authorization": f"Bearer {issued.token}"}
    listing = await client.get("/api/v1/t/qindu/notices", headers=headers)
    assert listing.status_code == 200
    assert {n["title"]: n["read"] for n in listing.json()["notices"]} == {"冬季供暖提示": False,
                                                                         "北大街社区财务公开": False}
    detail = await client.get(f"/api/v1/t/qindu/notices/{private.root}", headers=headers)
    assert detail.json()["title"] == "北大街社区财务公开" and detail.json()["body_html"].startswith("<p>")
    marked = await client.post(f"/api/v1/t/qindu/notices/{private.root}/read", headers=headers)
    assert marked.status_code == 200 and marked.json() == {"id": private.root, "read": True}
    listing = await client.get("/api/v1/t/qindu/notices?q=财务", headers=headers)
    assert [(n["title"], n["read"]) for n in listing.json()["notices"]] == [("北大街社区财务公开", True)]
    # A client key has no person: it sees what a visitor sees, and cannot mark anything read.
    key = await credentials.issue("client", "热线", ["notices:read"], tenant_id=tenant.id,
                                  person_id=district["reviewer"].id)
    client_headers = {"Authorization": f"Bearer {key.token}"}
    titles = [n["title"] for n in (await client.get("/api/v1/t/qindu/notices", headers=client_headers)).json()[
        "notices"]]
    assert titles == ["冬季供暖提示"]
    assert (await client.get(f"/api/v1/t/qindu/notices/{private.root}", headers=client_headers)).status_code == 404
    assert (await client.post(f"/api/v1/t/qindu/notices/{public.root}/read",
                              headers=client_headers)).status_code == 403
    # Without a token: 401, as problem details.
    refused = await client.get("/api/v1/t/qindu/notices")
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")


async def test_the_api_is_in_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"/api/v1/t/{slug}/notices", "/api/v1/t/{slug}/notices/{root}",
            "/api/v1/t/{slug}/notices/{root}/read"} <= set(paths)
