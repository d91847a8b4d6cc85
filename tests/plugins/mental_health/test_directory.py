"""The directory of the referral network: kept by supervisors and admins, refused next to the
field when wrong, read by residents level by level."""

from __future__ import annotations

import pytest

from core.accounts import services as accounts
from core.errors import ValidationFailed
from plugins.mental_health import directory
from plugins.mental_health.tables import ServicePoint
from tests.http import csrf_token, http_client
from tests.plugins.mental_health.conftest import BASE

EN = {"accept-language": "en"}
STATION = {"level": "community_station", "name": "北大街社区心理服务站", "phone": "029-33210000",
           "address": "北大街12号", "hours": "周一至周五 9:00–17:00", "url": "https://example.org/station"}


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"), ({"level": "moon"}, "level"), ({"phone": "call me"}, "phone"),
    ({"url": "javascript:alert(1)"}, "url"), ({"email": "nobody"}, "email"), ({"name": "名" * 121}, "name")])
async def test_bad_input_is_refused_by_field(district, change, field):
    with pytest.raises(ValidationFailed) as refused:
        await directory.add(district, 1, {**STATION, **change})
    assert field in refused.value.errors
    assert await district.count(ServicePoint) == 0


async def test_points_by_level_and_hidden_ones(district):
    station = await directory.add(district, 1, STATION)
    await directory.add(district, 1, {**STATION, "level": "city_hospital", "name": "市精神卫生中心",
                                      "phone": "＋86 29 3321 0001"})
    levels = await directory.by_level(district)
    assert [level for level, _points in levels] == ["community_station", "health_centre", "district_institution",
                                                    "city_hospital"]
    assert [[point["name"] for point in points] for _level, points in levels] == [
        ["北大街社区心理服务站"], [], [], ["市精神卫生中心"]]
    await directory.set_active(district, 1, station.id, False)
    assert (await directory.by_level(district))[0][1] == []
    assert len((await directory.by_level(district, active_only=False))[0][1]) == 1


async def test_residents_read_it_and_only_keepers_keep_it(app, district, signed_in, make_person, sign_in):
    await directory.add(district, 1, STATION)
    page = await signed_in.get(f"{BASE}/directory/", headers=EN)
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert 'href="tel:02933210000"' in page.text and "Community health service centre" in page.text
    assert (await signed_in.get(f"{BASE}/console/directory/")).status_code == 403
    keeper = await make_person("周华", "13800000091")
    await accounts.add_membership(district, keeper.id, ["mental_health.supervisor"])
    async with http_client(app) as client:
        await sign_in(client, "13800000091", login_path="/t/qindu/login")
        console = await client.get(f"{BASE}/console/directory/", headers=EN)
        assert console.status_code == 200
        token = csrf_token(console.text)
        refused = await client.post(f"{BASE}/console/directory/", headers=EN, data={
            **STATION, "name": "城区卫生服务中心", "level": "health_centre", "phone": "not a number", "_csrf_token": token})
        assert refused.status_code == 422 and 'id="e-phone"' in refused.text and "城区卫生服务中心" in refused.text
        added = await client.post(f"{BASE}/console/directory/", data={
            **STATION, "name": "城区卫生服务中心", "level": "health_centre", "_csrf_token": token})
        assert added.status_code == 303
        [row] = await district.select(ServicePoint).where(ServicePoint.level == "health_centre")
        changed = await client.post(f"{BASE}/console/directory/{row['id']}", data={
            **STATION, "name": "城区社区卫生服务中心", "level": "health_centre", "_csrf_token": token})
        assert changed.status_code == 303
        assert (await district.get(ServicePoint, row["id"])).name == "城区社区卫生服务中心"
        hidden = await client.post(f"{BASE}/console/directory/{row['id']}/deactivate", data={"_csrf_token": token})
        assert hidden.status_code == 303 and (await district.get(ServicePoint, row["id"])).active is False
