"""Resolving the district from the path: unknown → 404, not active → 423, nothing deleted."""

import pytest

from core.tenancy import TenantScope
from tenants import services
from tenants.resolution import slug_from_path
from tenants.tables import Street


@pytest.mark.parametrize(
    ("path", "slug"),
    [("/t/qindu/", "qindu"), ("/t/qindu", "qindu"), ("/t/qindu/notices", "qindu"),
     ("/api/v1/t/weicheng/feedback", "weicheng"), ("/", None), ("/admin", None), ("/tx/qindu/", None),
     ("/api/v1/x/t/qindu/", None)],
)
def test_slug_from_path(path, slug):
    assert slug_from_path(path) == slug


async def test_active_district_home_shows_its_streets(client, tenant, other_tenant):
    await TenantScope(tenant.id).create(Street, name="人民街道")
    await TenantScope(other_tenant.id).create(Street, name="中山街道")
    response = await client.get("/t/qindu/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert "咸阳市秦都区" in response.text
    assert "人民街道" in response.text
    assert "中山街道" not in response.text


async def test_unknown_district_is_a_translated_404(client, database):
    response = await client.get("/t/nowhere/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "这个地址没有对应的区。" in response.text
    response = await client.get("/t/nowhere/", headers={"Accept-Language": "en"})
    assert "There is no district at this address." in response.text


async def test_api_paths_answer_problem_details(client, database):
    response = await client.get("/api/v1/t/nowhere/notices", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "页面不存在"


@pytest.mark.parametrize(
    ("status", "reason", "zh_text"),
    [("pending", "", "正在等待审核"), ("rejected", "材料不全", "未获通过"), ("suspended", "系统迁移", "暂停服务")],
)
async def test_unavailable_districts_answer_423_and_keep_their_data(client, make_tenant, status, reason, zh_text):
    created = await make_tenant("liquan", "礼泉县", "610425", "active")
    await TenantScope(created.id).create(Street, name="城关街道")
    created.status, created.status_reason = status, reason
    await created.save()
    response = await client.get("/t/liquan/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 423
    assert zh_text in response.text
    if reason:
        assert reason in response.text
    assert await TenantScope(created.id).count(Street) == 1


async def test_resumed_district_serves_again(client, make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "active")
    await services.change_status("liquan", "suspend", "维护")
    assert (await client.get("/t/liquan/")).status_code == 423
    await services.change_status("liquan", "resume")
    assert (await client.get("/t/liquan/")).status_code == 200


async def test_reason_is_escaped(client, make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    await services.change_status("liquan", "reject", "<script>alert(1)</script>")
    response = await client.get("/t/liquan/")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
