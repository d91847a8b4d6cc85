"""The district admin sets the district's bounds on the console home: checked side by side,
each message next to its field, what was typed kept; all four cleared removes them."""

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.tenancy import TenantScope
from tenants import bounds
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


async def _admin(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    return admin


async def _post(client, data):
    console = await client.get("/t/qindu/console/", headers=PAGE)
    return await client.post("/t/qindu/console/bounds", headers=PAGE,
                             data={**data, "_csrf_token": csrf_token(console.text)})


async def test_the_admin_sets_and_clears_the_bounds(client, tenant, make_person, sign_in):
    admin = await _admin(client, tenant, make_person, sign_in)
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'action="/t/qindu/console/bounds"' in console.text and 'name="south" type="text" value=""' in console.text
    saved = await _post(client, {"south": "34.28", "west": "108.55", "north": "34.42", "east": "108.78"})
    assert saved.status_code == 303 and saved.headers["location"] == "/t/qindu/console/"
    assert await bounds.of(tenant.id) == bounds.Bounds(34.28, 108.55, 34.42, 108.78)
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'name="south" type="text" value="34.28"' in console.text
    assert 'name="east" type="text" value="108.78"' in console.text
    entry = await AuditEntry.objects().where(AuditEntry.action == "district.bounds").first()
    assert entry.actor_id == admin.id and entry.tenant_id == tenant.id and "108.55" in entry.details
    cleared = await _post(client, {"south": "", "west": "", "north": "", "east": ""})
    assert cleared.status_code == 303 and await bounds.of(tenant.id) is None


async def test_bad_bounds_are_named_next_to_their_fields_and_kept(client, tenant, make_person, sign_in):
    await _admin(client, tenant, make_person, sign_in)
    refused = await _post(client, {"south": "34.42", "west": "一百零八", "north": "34.28", "east": ""})
    assert refused.status_code == 422
    assert 'name="west" type="text" value="一百零八"' in refused.text  # what was typed stays
    assert 'name="north" type="text" value="34.28"' in refused.text
    assert 'aria-describedby="e-west"' in refused.text and 'aria-describedby="e-east"' in refused.text
    assert "请输入数字。" in refused.text  # west
    assert await bounds.of(tenant.id) is None
    reversed_ = await _post(client, {"south": "34.42", "west": "108.78", "north": "34.28", "east": "108.55"})
    assert reversed_.status_code == 422
    assert 'aria-describedby="e-north"' in reversed_.text and 'aria-describedby="e-east"' in reversed_.text
    assert 'aria-describedby="e-south"' not in reversed_.text
    out_of_range = await _post(client, {"south": "-91", "west": "108", "north": "34", "east": "181"})
    assert out_of_range.status_code == 422
    assert 'aria-describedby="e-south"' in out_of_range.text and 'aria-describedby="e-east"' in out_of_range.text
    assert await bounds.of(tenant.id) is None


async def test_only_the_district_admin_sets_the_bounds(client, tenant, make_person, sign_in):
    person = await make_person("李秀英", "13900000011")
    await accounts.add_membership(TenantScope(tenant.id), person.id, ["staff"])
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'action="/t/qindu/console/bounds"' not in console.text
    refused = await client.post("/t/qindu/console/bounds", headers=PAGE, data={
        "south": "1", "west": "1", "north": "2", "east": "2", "_csrf_token": csrf_token(console.text)})
    assert refused.status_code == 403 and await bounds.of(tenant.id) is None
