"""A resident applies for a space; the district chooses whether it has the service at all;
the other district never sees any of it. Only the fixtures Gongzhi ships are used."""

from __future__ import annotations

import re

import pytest
from parking_http import application_ids, apply, browser, csrf_token, post_form, state_of

PLATE = "陕D7K2M5"


@pytest.fixture
async def parking(gongzhi_plugin_enabled, gongzhi_district):
    await gongzhi_plugin_enabled("parking", gongzhi_district)
    return gongzhi_district


async def test_a_resident_applies_and_sees_the_application(parking, gongzhi_client, gongzhi_resident,
                                                           gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    assert page.status_code == 200
    assert "社区停车管理" in page.text and "申请车位" in page.text
    assert "no-store" in page.headers.get("cache-control", ""), "a person's own page is never cached"
    # The resident's own community is chosen to begin with.
    own = parking.communities[0]["id"]
    assert f'<option value="{own}" selected>' in page.text

    sent = await apply(gongzhi_client, "qindu", own, "陕d·7k2m5")
    assert sent.status_code == 303
    page = await gongzhi_client.get(sent.headers["location"])
    assert "您的申请已提交" in page.text
    [application] = application_ids(page.text)
    assert state_of(page.text, application) == "waiting"
    assert PLATE in page.text and "等待分配" in page.text and parking.communities[0]["name"] in page.text


async def test_each_wrong_field_is_named_in_the_residents_language_and_what_was_typed_is_kept(
        parking, gongzhi_client, gongzhi_resident, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    answer = await apply(gongzhi_client, "qindu", 999999, "AB-1234")
    assert answer.status_code == 422
    assert re.search(r'id="e-plate" role="alert">[^<]*陕D12345', answer.text), "the plate's error is next to it"
    assert re.search(r'id="e-community" role="alert">请从列表中选择', answer.text)
    assert 'value="AB-1234"' in answer.text, "what was typed is kept"
    assert application_ids(answer.text) == []

    english = await post_form(gongzhi_client, "/t/qindu/p/parking/", "/t/qindu/p/parking/applications",
                              {"community": str(parking.communities[0]["id"]), "plate": "",
                               "idempotency_key": "k" * 20}, headers={"accept-language": "en"})
    assert english.status_code == 422
    assert re.search(r'id="e-plate" role="alert">This field is required', english.text)
    assert "e-community" not in english.text


async def test_a_form_sent_twice_makes_one_application(parking, gongzhi_client, gongzhi_resident, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    community = parking.communities[0]["id"]
    first = await apply(gongzhi_client, "qindu", community, PLATE, key="same-form-key-123")
    again = await apply(gongzhi_client, "qindu", community, PLATE, key="same-form-key-123")
    assert (first.status_code, again.status_code) == (303, 303)
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    assert len(application_ids(page.text)) == 1


async def test_one_application_per_vehicle_and_at_most_the_districts_limit(
        parking, gongzhi_app, gongzhi_client, gongzhi_resident, gongzhi_make_person, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    community = parking.communities[0]["id"]
    assert (await apply(gongzhi_client, "qindu", community, PLATE)).status_code == 303
    second = await apply(gongzhi_client, "qindu", community, "陕AD12345")
    assert second.status_code == 422 and "最多" in second.text, "one application per person by default"

    neighbour = await gongzhi_make_person("赵磊", "13800000002", parking, community=community)
    async with browser(gongzhi_app) as other:
        await gongzhi_sign_in(other, neighbour)
        same_car = await apply(other, "qindu", community, PLATE)
        assert same_car.status_code == 422
        assert re.search(r'id="e-plate" role="alert">这辆车已经', same_car.text)
        assert (await apply(other, "qindu", community, "陕A12345D")).status_code == 303


async def test_a_resident_withdraws_their_own_application_and_no_one_elses(
        parking, gongzhi_app, gongzhi_client, gongzhi_resident, gongzhi_make_person, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    await apply(gongzhi_client, "qindu", parking.communities[0]["id"], PLATE)
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    [application] = application_ids(page.text)

    neighbour = await gongzhi_make_person("赵磊", "13800000002", parking)
    async with browser(gongzhi_app) as other:
        await gongzhi_sign_in(other, neighbour)
        theirs = await post_form(other, "/t/qindu/p/parking/",
                                 f"/t/qindu/p/parking/applications/{application}/withdraw", {})
        assert theirs.status_code == 404
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    assert state_of(page.text, application) == "waiting"

    mine = await post_form(gongzhi_client, "/t/qindu/p/parking/",
                           f"/t/qindu/p/parking/applications/{application}/withdraw", {})
    assert mine.status_code == 303
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    assert state_of(page.text, application) == "withdrawn" and "已撤回" in page.text


async def test_a_disabled_plugin_answers_404_and_keeps_its_data_for_when_it_is_enabled_again(
        parking, gongzhi_client, gongzhi_resident, gongzhi_sign_in, gongzhi_plugin_enabled):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    await apply(gongzhi_client, "qindu", parking.communities[0]["id"], PLATE)
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    [application] = application_ids(page.text)
    home = await gongzhi_client.get("/t/qindu/")
    assert "/static/p/parking/icon.svg" in home.text and 'href="/t/qindu/p/parking/"' in home.text

    await gongzhi_plugin_enabled("parking", parking, enabled=False)
    assert (await gongzhi_client.get("/t/qindu/p/parking/")).status_code == 404
    withdraw = await gongzhi_client.post(f"/t/qindu/p/parking/applications/{application}/withdraw",
                                         data={"_csrf_token": csrf_token(home.text)})
    assert withdraw.status_code == 404
    assert (await gongzhi_client.get("/api/v1/t/qindu/p/parking/applications")).status_code == 404
    home = await gongzhi_client.get("/t/qindu/")
    assert "/t/qindu/p/parking/" not in home.text, "no tile and no navigation entry"

    await gongzhi_plugin_enabled("parking", parking)
    page = await gongzhi_client.get("/t/qindu/p/parking/")
    assert page.status_code == 200
    assert application_ids(page.text) == [application] and state_of(page.text, application) == "waiting"


async def test_the_other_district_never_sees_it(parking, gongzhi_app, gongzhi_other_district,
                                                gongzhi_plugin_enabled, gongzhi_client, gongzhi_resident,
                                                gongzhi_staff, gongzhi_make_person, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    assert (await gongzhi_client.get("/t/weicheng/p/parking/")).status_code == 404, "not enabled there"
    await apply(gongzhi_client, "qindu", parking.communities[0]["id"], PLATE)
    [application] = application_ids((await gongzhi_client.get("/t/qindu/p/parking/")).text)

    await gongzhi_plugin_enabled("parking", gongzhi_other_district)
    # The same person in the other district: nothing of theirs there, and their id is unknown.
    there = await gongzhi_client.get("/t/weicheng/p/parking/")
    assert there.status_code == 200 and application_ids(there.text) == [] and PLATE not in there.text
    withdraw = await post_form(gongzhi_client, "/t/weicheng/p/parking/",
                               f"/t/weicheng/p/parking/applications/{application}/withdraw", {})
    assert withdraw.status_code == 404
    # A community of qindu cannot be chosen in weicheng.
    assert (await apply(gongzhi_client, "weicheng", parking.communities[0]["id"], "陕D9N3P7")).status_code == 422

    admin = await gongzhi_make_person("孙敏", "13900000002", gongzhi_other_district, roles=("district_admin",))
    async with browser(gongzhi_app) as other:
        await gongzhi_sign_in(other, admin)
        console = await other.get("/t/weicheng/p/parking/console/")
        assert console.status_code == 200
        assert PLATE not in console.text and application_ids(console.text) == []
        # qindu's spaces are not found from weicheng's console either.
        async with browser(gongzhi_app) as staff:
            await gongzhi_sign_in(staff, gongzhi_staff)
            added = await post_form(staff, "/t/qindu/p/parking/console/", "/t/qindu/p/parking/console/spaces",
                                    {"community": str(parking.communities[0]["id"]), "label": "A-001"})
            assert added.status_code == 303
            space = int(re.search(r'id="space-(\d+)"', (await staff.get("/t/qindu/p/parking/console/")).text)[1])
        switch = await post_form(other, "/t/weicheng/p/parking/console/",
                                 f"/t/weicheng/p/parking/console/spaces/{space}/switch", {})
        assert switch.status_code == 404
        assert "A-001" not in (await other.get("/t/weicheng/p/parking/console/")).text


async def test_staff_keep_the_spaces_of_the_communities_they_look_after(
        parking, gongzhi_app, gongzhi_client, gongzhi_staff, gongzhi_resident, gongzhi_make_person, gongzhi_sign_in):
    first, second = parking.communities
    await gongzhi_sign_in(gongzhi_client, gongzhi_staff)
    console = "/t/qindu/p/parking/console/"
    assert (await post_form(gongzhi_client, console, f"{console}spaces",
                            {"community": str(first["id"]), "label": "a-107"})).status_code == 303
    page = await gongzhi_client.get(console)
    assert "A-107" in page.text and "空闲" in page.text
    twice = await post_form(gongzhi_client, console, f"{console}spaces", {"community": str(first["id"]),
                                                                         "label": "A-107"})
    assert twice.status_code == 422 and re.search(r'id="e-label" role="alert">', twice.text)
    assert (await post_form(gongzhi_client, console, f"{console}spaces",
                            {"community": str(second["id"]), "label": "B-001"})).status_code == 303
    space = int(re.search(r'id="space-(\d+)" data-active="yes">\s*<strong>A-107', page.text)[1])
    assert (await post_form(gongzhi_client, console, f"{console}spaces/{space}/switch", {})).status_code == 303
    assert f'id="space-{space}" data-active="no"' in (await gongzhi_client.get(console)).text

    # A parking manager of the second community sees its spaces only, and may not allocate for all.
    manager = await gongzhi_make_person("周强", "13900000003", parking, roles=("parking.manager",),
                                        community=second["id"])
    async with browser(gongzhi_app) as other:
        await gongzhi_sign_in(other, manager)
        theirs = await other.get(console)
        assert "B-001" in theirs.text and "A-107" not in theirs.text
        assert (await post_form(other, console, f"{console}spaces/{space}/switch", {})).status_code == 404
        assert (await post_form(other, console, f"{console}allocate", {})).status_code == 403

    # A resident has no console.
    async with browser(gongzhi_app) as resident:
        await gongzhi_sign_in(resident, gongzhi_resident)
        assert (await resident.get(console)).status_code == 403


async def test_the_console_home_shows_the_widget(parking, gongzhi_client, gongzhi_staff, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_staff)
    home = await gongzhi_client.get("/t/qindu/console/")
    assert home.status_code == 200
    assert 'data-plugin="parking"' in home.text and "等待分配的申请" in home.text
    assert (await gongzhi_client.get("/static/p/parking/icon.svg")).status_code == 200


async def test_the_api_lists_the_tokens_own_applications(parking, gongzhi_other_district, gongzhi_client,
                                                         gongzhi_resident, gongzhi_sign_in):
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    await apply(gongzhi_client, "qindu", parking.communities[0]["id"], PLATE)
    assert (await gongzhi_client.get("/api/v1/t/qindu/p/parking/applications")).status_code == 401, \
        "a session is not enough for the API"
    made = await post_form(gongzhi_client, "/account/tokens", "/account/tokens",
                           {"name": "停车", "scopes": "profile:read", "district": str(parking.id)})
    token = re.search(r'<code class="secret">([^<]+)</code>', made.text)[1]
    answer = await gongzhi_client.get("/api/v1/t/qindu/p/parking/applications",
                                      headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert item["plate"] == PLATE and item["state"] == "waiting" and item["space"] is None
    other = await gongzhi_client.get("/api/v1/t/weicheng/p/parking/applications",
                                     headers={"authorization": f"Bearer {token}"})
    assert other.status_code == 404, "not enabled in weicheng"
