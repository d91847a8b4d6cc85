"""The monthly allocation: on the district's allocation day the schedule gives each free space
to the oldest waiting application of its community, tells the resident, and never gives
anything twice; a district without the plugin enabled is skipped."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from parking_http import application_ids, apply, browser, post_form, state_of

CHINA = timezone(timedelta(hours=8))


async def _add_space(client, slug: str, community: int, label: str) -> None:
    console = f"/t/{slug}/p/parking/console/"
    added = await post_form(client, console, f"{console}spaces", {"community": str(community), "label": label})
    assert added.status_code == 303


async def _application(client, slug: str, community: int, plate: str) -> int:
    assert (await apply(client, slug, community, plate)).status_code == 303
    return application_ids((await client.get(f"/t/{slug}/p/parking/")).text)[0]


async def _allocate_now(client, slug: str) -> int:
    console = f"/t/{slug}/p/parking/console/"
    answer = await post_form(client, console, f"{console}allocate", {})
    assert answer.status_code == 303
    return int(re.search(r"allocated=(\d+)", answer.headers["location"])[1])


@pytest.fixture
async def december(gongzhi_clock, gongzhi_jobs):
    """The day before December's allocation, with the schedule's next runs planned from then."""
    gongzhi_clock.set_now(datetime(2026, 11, 30, 10, 0, tzinfo=CHINA))
    await gongzhi_jobs.run_due()
    return gongzhi_clock


async def test_the_allocation_gives_each_space_once_in_order_and_tells_the_resident(
        december, gongzhi_jobs, gongzhi_app, gongzhi_client, gongzhi_district, gongzhi_plugin_enabled,
        gongzhi_resident, gongzhi_staff, gongzhi_make_person, gongzhi_sign_in):
    await gongzhi_plugin_enabled("parking", gongzhi_district)
    community = gongzhi_district.communities[0]["id"]
    await gongzhi_sign_in(gongzhi_client, gongzhi_staff)
    await _add_space(gongzhi_client, "qindu", community, "A-101")
    neighbour = await gongzhi_make_person("赵磊", "13800000002", gongzhi_district, community=community)
    async with browser(gongzhi_app) as first, browser(gongzhi_app) as second:
        await gongzhi_sign_in(first, gongzhi_resident)
        earlier = await _application(first, "qindu", community, "陕D7K2M5")
        await gongzhi_sign_in(second, neighbour)
        later = await _application(second, "qindu", community, "陕DF12345")

        december.set_now(datetime(2026, 12, 1, 6, 0, 30, tzinfo=CHINA))
        await gongzhi_jobs.run_due()
        assert not gongzhi_jobs.failures

        mine = await first.get("/t/qindu/p/parking/")
        assert state_of(mine.text, earlier) == "allocated" and "车位 A-101，自 2026-12 起归您使用" in mine.text
        assert state_of((await second.get("/t/qindu/p/parking/")).text, later) == "waiting"
        inbox = await first.get("/t/qindu/inbox")
        assert "您有车位了" in inbox.text, "the resident is told"
        assert "您有车位了" not in (await second.get("/t/qindu/inbox")).text

        # Run again in the same month (the console's button): nothing is given twice.
        await gongzhi_sign_in(gongzhi_client, gongzhi_staff)
        assert await _allocate_now(gongzhi_client, "qindu") == 0
        assert await _allocate_now(gongzhi_client, "qindu") == 0
        console = await gongzhi_client.get("/t/qindu/p/parking/console/")
        assert console.text.count("A-101 (2026-12)") == 1

        # The space held is given again only once it is free, and not in a month it was given already.
        withdrawn = await post_form(first, "/t/qindu/p/parking/",
                                    f"/t/qindu/p/parking/applications/{earlier}/withdraw", {})
        assert withdrawn.status_code == 303
        assert await _allocate_now(gongzhi_client, "qindu") == 0
        december.set_now(datetime(2027, 1, 1, 6, 0, 30, tzinfo=CHINA))
        await gongzhi_jobs.run_due()
        await gongzhi_sign_in(second, neighbour)  # a month later: signed out for being idle
        mine = await second.get("/t/qindu/p/parking/")
        assert state_of(mine.text, later) == "allocated" and "自 2027-01 起" in mine.text
        assert "您有车位了" in (await second.get("/t/qindu/inbox")).text


async def test_the_allocation_runs_on_the_districts_own_day(
        december, gongzhi_jobs, gongzhi_client, gongzhi_district, gongzhi_plugin_enabled, gongzhi_resident,
        gongzhi_staff, gongzhi_sign_in):
    await gongzhi_plugin_enabled("parking", gongzhi_district)
    community = gongzhi_district.communities[0]["id"]
    await gongzhi_sign_in(gongzhi_client, gongzhi_staff)
    saved = await post_form(gongzhi_client, "/t/qindu/console/plugins/parking", "/t/qindu/console/plugins/parking",
                            {"max_applications_per_person": "1", "allocation_day": "2", "rules": ""})
    assert saved.status_code == 303
    await _add_space(gongzhi_client, "qindu", community, "A-101")
    await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
    application = await _application(gongzhi_client, "qindu", community, "陕D7K2M5")

    december.set_now(datetime(2026, 12, 1, 6, 0, 30, tzinfo=CHINA))
    await gongzhi_jobs.run_due()
    assert state_of((await gongzhi_client.get("/t/qindu/p/parking/")).text, application) == "waiting"
    december.set_now(datetime(2026, 12, 2, 6, 0, 30, tzinfo=CHINA))
    await gongzhi_jobs.run_due()
    assert state_of((await gongzhi_client.get("/t/qindu/p/parking/")).text, application) == "allocated"


async def test_the_allocation_skips_a_district_that_has_not_enabled_the_plugin(
        december, gongzhi_jobs, gongzhi_app, gongzhi_client, gongzhi_district, gongzhi_other_district,
        gongzhi_plugin_enabled, gongzhi_resident, gongzhi_staff, gongzhi_make_person, gongzhi_sign_in):
    places = []
    admin_of_weicheng = await gongzhi_make_person("孙敏", "13900000002", gongzhi_other_district,
                                                  roles=("district_admin",))
    resident_of_weicheng = await gongzhi_make_person("钱进", "13800000003", gongzhi_other_district,
                                                     community=gongzhi_other_district.communities[0]["id"])
    for district, admin, resident in ((gongzhi_district, gongzhi_staff, gongzhi_resident),
                                      (gongzhi_other_district, admin_of_weicheng, resident_of_weicheng)):
        await gongzhi_plugin_enabled("parking", district)
        community = district.communities[0]["id"]
        async with browser(gongzhi_app) as staff, browser(gongzhi_app) as person:
            await gongzhi_sign_in(staff, admin)
            await _add_space(staff, district.slug, community, "A-101")
            await gongzhi_sign_in(person, resident)
            places.append((district, resident, await _application(person, district.slug, community, "陕D7K2M5")))
    await gongzhi_plugin_enabled("parking", gongzhi_other_district, enabled=False)

    december.set_now(datetime(2026, 12, 1, 6, 0, 30, tzinfo=CHINA))
    await gongzhi_jobs.run_due()
    assert not gongzhi_jobs.failures

    await gongzhi_plugin_enabled("parking", gongzhi_other_district)
    expected = {"qindu": "allocated", "weicheng": "waiting"}
    for district, resident, application in places:
        async with browser(gongzhi_app) as person:
            await gongzhi_sign_in(person, resident)
            page = await person.get(f"/t/{district.slug}/p/parking/")
            assert state_of(page.text, application) == expected[district.slug], district.slug
