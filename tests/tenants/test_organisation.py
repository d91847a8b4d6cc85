"""The organisation page: district admins add, rename and remove units; nothing is orphaned."""

import pytest

from core.accounts import services
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street
from tests.http import csrf_token


@pytest.fixture
async def admin_client(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001")
    return client


async def _post(client, path, data):
    page = await client.get("/t/qindu/console/organisation")
    return await client.post(f"/t/qindu/console/organisation{path}", data={**data, "_csrf_token": csrf_token(page.text)},
                             headers={"Accept-Language": "zh-CN"})


async def test_add_rename_and_remove(admin_client, tenant):
    scope = TenantScope(tenant.id)
    assert (await _post(admin_client, "/street/add", {"name": "人民街道"})).status_code == 303
    street = await scope.objects(Street).first()
    assert (await _post(admin_client, "/community/add", {"name": "北大街社区", "parent": str(street.id)})).status_code == 303
    community = await scope.objects(Community).first()
    assert (await _post(admin_client, "/grid/add", {"name": "第1网格", "parent": str(community.id)})).status_code == 303
    assert (await _post(admin_client, f"/street/{street.id}/rename", {"name": "人民路街道"})).status_code == 303
    assert (await scope.get(Street, street.id)).name == "人民路街道"
    page = await admin_client.get("/t/qindu/console/organisation")
    assert "人民路街道" in page.text and "第1网格" in page.text

    blocked = await _post(admin_client, f"/street/{street.id}/remove", {})
    assert blocked.status_code == 409 and "请先移除或迁移其下的单位" in blocked.text
    grid = await scope.objects(Grid).first()
    assert (await _post(admin_client, f"/grid/{grid.id}/remove", {})).status_code == 303
    assert await scope.count(Grid) == 0


async def test_duplicates_and_empty_names_are_refused_and_typed_text_kept(admin_client, tenant):
    await _post(admin_client, "/street/add", {"name": "人民街道"})
    duplicate = await _post(admin_client, "/street/add", {"name": "人民街道"})
    assert duplicate.status_code == 422 and "已经有同名的单位" in duplicate.text
    empty = await _post(admin_client, "/department/add", {"name": "  "})
    assert empty.status_code == 422 and "此项必填" in empty.text
    long_name = "局" * 300
    too_long = await _post(admin_client, "/department/add", {"name": long_name})
    assert too_long.status_code == 422 and long_name in too_long.text
    assert await TenantScope(tenant.id).count(Street) == 1


async def test_a_unit_with_peoples_roles_is_not_removed(admin_client, tenant, make_person):
    scope = TenantScope(tenant.id)
    await _post(admin_client, "/department/add", {"name": "城市管理局"})
    from tenants.tables import Department

    department = await scope.objects(Department).first()
    worker = await make_person("马志强", "13900000013")
    await services.add_membership(scope, worker.id, ["department_staff"], "department", department.id)
    response = await _post(admin_client, f"/department/{department.id}/remove", {})
    assert response.status_code == 409
    assert await scope.count(Department) == 1


async def test_another_districts_unit_cannot_be_touched(admin_client, tenant, other_tenant):
    theirs = await TenantScope(other_tenant.id).create(Street, name="中山街道")
    assert (await _post(admin_client, f"/street/{theirs.id}/rename", {"name": "改名"})).status_code == 404
    assert (await _post(admin_client, f"/street/{theirs.id}/remove", {})).status_code == 404
    parent = await _post(admin_client, "/community/add", {"name": "越界社区", "parent": str(theirs.id)})
    assert parent.status_code == 422
    assert (await TenantScope(other_tenant.id).get(Street, theirs.id)).name == "中山街道"


async def test_only_district_admins_edit(client, tenant, make_person, sign_in):
    staff = await make_person("李秀英", "13900000011")
    await services.add_membership(TenantScope(tenant.id), staff.id, ["staff"])
    await sign_in(client, "13900000011")
    assert (await client.get("/t/qindu/console/organisation")).status_code == 403
