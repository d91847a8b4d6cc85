"""A person's parking applications are in their data download, from every district, and when
they are erased their plate gives way to the pseudonym (and any space they held is freed)."""

from __future__ import annotations

import re

from parking_http import application_ids, apply, browser, post_form, state_of


async def test_the_download_holds_the_persons_applications_in_every_district(
        gongzhi_client, gongzhi_district, gongzhi_other_district, gongzhi_plugin_enabled, gongzhi_resident,
        gongzhi_sign_in):
    for district in (gongzhi_district, gongzhi_other_district):
        await gongzhi_plugin_enabled("parking", district)
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    await apply(gongzhi_client, "qindu", gongzhi_district.communities[0]["id"], "陕D7K2M5")
    await apply(gongzhi_client, "weicheng", gongzhi_other_district.communities[1]["id"], "陕DF12345")

    download = await gongzhi_client.get("/account/data/export.json")
    assert download.status_code == 200
    rows = download.json()["parking_applications"]
    assert sorted((row["tenant_id"], row["plate"]) for row in rows) == [
        (gongzhi_district.id, "陕D7K2M5"), (gongzhi_other_district.id, "陕DF12345")]


async def test_erasing_a_person_puts_the_pseudonym_in_place_of_their_plate(
        gongzhi_app, gongzhi_client, gongzhi_district, gongzhi_plugin_enabled, gongzhi_resident, gongzhi_staff,
        gongzhi_sign_in):
    await gongzhi_plugin_enabled("parking", gongzhi_district)
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    await apply(gongzhi_client, "qindu", gongzhi_district.communities[0]["id"], "陕D7K2M5")
    erased = await post_form(gongzhi_client, "/account/data", "/account/data/erase",
                             {"confirm": "1", "password": gongzhi_resident.password})
    assert erased.status_code == 303

    async with browser(gongzhi_app) as staff:
        await gongzhi_sign_in(staff, gongzhi_staff)
        console = await staff.get("/t/qindu/p/parking/console/")
        [application] = application_ids(console.text)
        assert "陕D7K2M5" not in console.text
        row = re.search(rf'id="application-{application}".*?</tr>', console.text, re.S)[0]
        assert re.search(r'class="plate">已注销用户-\w+<', row), "the pseudonym stands in for the plate"
        assert state_of(console.text, application) == "withdrawn"
