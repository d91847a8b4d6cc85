from core.accounts import services
from core.audit import services as audit
from core.tenancy import TenantScope


async def test_district_admins_read_their_districts_entries_only(client, tenant, other_tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await audit.record("organisation.added", actor_id=admin.id, tenant_id=tenant.id, target="street:1")
    await audit.record("organisation.added", actor_id=admin.id, tenant_id=other_tenant.id, target="street:99")
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/console/audit")
    assert page.status_code == 200
    assert "street:1<" in page.text and "street:99" not in page.text
    assert (await client.get("/t/weicheng/console/audit")).status_code == 403
    assert (await client.get("/admin/audit")).status_code == 403


async def test_platform_admins_read_platform_entries(client, platform_admin, sign_in):
    await audit.record("tenant.approve", actor_id=platform_admin.id, target="tenant:liquan")
    await sign_in(client, "13900000000")
    page = await client.get("/admin/audit")
    assert "tenant:liquan" in page.text and "周立平" in page.text
