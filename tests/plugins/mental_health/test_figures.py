"""The district's figures: distinct people per month, and nothing from 1 to 4 shown."""

from __future__ import annotations

import re

import pytest

from core.accounts import services as accounts
from plugins.mental_health import figures, services
from plugins.mental_health.instruments import PHQ9
from tests.http import http_client
from tests.plugins.mental_health.conftest import BASE

EN = {"accept-language": "en"}


async def _screened(district, make_person, how_many: int, *, start: int = 0) -> None:
    for number in range(start, start + how_many):
        person = await make_person(f"居民{number}", f"1370000{number:04d}")
        await accounts.add_membership(district, person.id, ["resident"])
        await services.give_consent(district, person.id, {"agree": "1"})
        for attempt in range(2):  # twice each: people are counted, not questionnaires
            await services.screen(district, person.id, PHQ9, {
                **{f"item{n}": "0" for n in range(1, 10)}, "idempotency_key": f"figures-{number}-{attempt}-key"})


def test_small_figures_are_not_shown():
    assert [figures.shown(n) for n in range(7)] == [0, None, None, None, None, 5, 6]


async def test_four_people_are_fewer_than_five_and_five_are_five(district, make_person):
    await _screened(district, make_person, 4)
    counted = await figures.district_figures(district)
    assert counted["rows"]["screened"][0] is None and counted["rows"]["consented"][0] is None
    assert counted["rows"]["instrument:gad7"][0] == 0 and counted["rows"]["state:sent"][0] == 0
    await _screened(district, make_person, 1, start=4)
    counted = await figures.district_figures(district)
    assert counted["rows"]["screened"][0] == 5 and counted["rows"]["instrument:phq9"][0] == 5
    assert counted["rows"]["screened"][1:] == [0] * (figures.MONTHS - 1)


@pytest.mark.parametrize("roles, status", [(["mental_health.supervisor"], 200), (["district_admin"], 200),
                                           (["mental_health.counsellor"], 403), (["staff"], 403),
                                           (["resident"], 403)])
async def test_the_page_is_for_supervisors_and_admins(app, district, make_person, sign_in, roles, status):
    await _screened(district, make_person, 4)
    viewer = await make_person("周华", "13800000090")
    await accounts.add_membership(district, viewer.id, roles)
    async with http_client(app) as client:
        await sign_in(client, "13800000090", login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/console/figures/", headers=EN)
    assert page.status_code == status
    if status == 200:
        assert "no-store" in page.headers["cache-control"]
        row = re.search(r'<tr id="figure-screened">(.*?)</tr>', page.text, re.S).group(1)
        assert "fewer than 5" in row and ">4<" not in row
