"""/admin: only platform admins; approve, reject with a reason, suspend and resume."""

import re

import pytest

from tenants import services
from tenants.tables import Tenant
from tests.http import csrf_token


async def _admin_page(client):
    return await client.get("/admin", headers={"Accept-Language": "zh-CN"})


async def _act(client, slug, action, reason=None):
    page = await _admin_page(client)
    data = {"_csrf_token": csrf_token(page.text)}
    if reason is not None:
        data["reason"] = reason
    return await client.post(f"/admin/tenants/{slug}/{action}", data=data, headers={"Accept-Language": "zh-CN"})


async def test_admin_needs_sign_in_and_the_platform_role(client, make_person, sign_in):
    response = await client.get("/admin")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin"
    await make_person("刘芳", "13800000021")
    await sign_in(client, "13800000021")
    assert (await client.get("/admin")).status_code == 403


async def test_approve(client, platform_admin, sign_in, make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    response = await sign_in(client, "13900000000")
    assert response.headers["location"] == "/admin"
    page = await _admin_page(client)
    assert "咸阳市礼泉县" in page.text and "待审核的入驻申请" in page.text
    assert (await _act(client, "liquan", "approve")).status_code == 303
    assert (await Tenant.objects().where(Tenant.slug == "liquan").first()).status == "active"
    assert (await client.get("/t/liquan/")).status_code == 200


async def test_reject_needs_a_reason_and_keeps_what_was_typed(client, platform_admin, sign_in, make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    await sign_in(client, "13900000000")
    empty = await _act(client, "liquan", "reject", "   ")
    assert empty.status_code == 409
    assert "请填写原因" in empty.text
    too_long = await _act(client, "liquan", "reject", "理" * 5000)
    assert too_long.status_code == 422
    assert "最多 500 个字符" in too_long.text
    assert "理" * 5000 in too_long.text
    nul = await _act(client, "liquan", "reject", "材料\x00不全")
    assert nul.status_code == 422
    assert (await Tenant.objects().where(Tenant.slug == "liquan").first()).status == "pending"

    done = await _act(client, "liquan", "reject", "行政区划代码与申请材料不符")
    assert done.status_code == 303
    shown = await client.get("/t/liquan/", headers={"Accept-Language": "zh-CN"})
    assert shown.status_code == 423 and "行政区划代码与申请材料不符" in shown.text


async def test_suspend_and_resume(client, platform_admin, sign_in, tenant):
    await sign_in(client, "13900000000")
    assert (await _act(client, "qindu", "suspend", "系统迁移")).status_code == 303
    assert (await client.get("/t/qindu/")).status_code == 423
    assert (await _act(client, "qindu", "resume")).status_code == 303
    assert (await client.get("/t/qindu/")).status_code == 200


@pytest.mark.parametrize("action", ["delete", "approve-all"])
async def test_unknown_actions_are_404(client, platform_admin, sign_in, tenant, action):
    await sign_in(client, "13900000000")
    assert (await _act(client, "qindu", action)).status_code == 404


async def test_admin_posts_need_the_csrf_token(client, platform_admin, sign_in, make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    await sign_in(client, "13900000000")
    response = await client.post("/admin/tenants/liquan/approve", data={})
    assert response.status_code == 403
    assert (await Tenant.objects().where(Tenant.slug == "liquan").first()).status == "pending"


async def test_status_changes_are_audited(client, platform_admin, sign_in, make_tenant):
    from core.audit import services as audit

    await make_tenant("liquan", "礼泉县", "610425", "pending")
    await sign_in(client, "13900000000")
    await _act(client, "liquan", "reject", "材料不全")
    [entry] = [e for e in await audit.platform_entries() if e.action.startswith("tenant.")]
    assert (entry.action, entry.actor, entry.target, entry.details) == (
        "tenant.reject", "周立平", "tenant:liquan", {"reason": "材料不全"})


async def test_a_bad_reason_is_shown_again_and_a_district_changed_meanwhile_is_said(client, platform_admin, sign_in,
                                                                                   tenant):
    await sign_in(client, "13900000000")
    typed = "<b>系统迁移</b>" + "理" * 600
    too_long = await _act(client, "qindu", "suspend", typed)
    assert too_long.status_code == 422
    assert re.search(r'<textarea id="f-reason-qindu"[^>]*>&lt;b&gt;系统迁移&lt;/b&gt;理{600}</textarea>\s*'
                     r'<p class="error" role="alert">最多 500 个字符', too_long.text)
    assert (await Tenant.objects().where(Tenant.slug == "qindu").first()).status == "active"

    page = await _admin_page(client)  # the suspend form, open while another admin suspends the district
    await services.change_status("qindu", "suspend", "系统迁移")
    stale = await client.post("/admin/tenants/qindu/suspend", headers={"Accept-Language": "zh-CN"},
                              data={"_csrf_token": csrf_token(page.text), "reason": "停\x00用"})
    assert stale.status_code == 409
    assert '<div class="notice notice-error" role="alert"><p>该区当前状态为 已暂停，不能这样变更。</p></div>' in stale.text
    row = await Tenant.objects().where(Tenant.slug == "qindu").first()
    assert (row.status, row.status_reason) == ("suspended", "系统迁移")
