"""API credentials: three kinds, one check; wrong district, wrong scope and revoked are refused."""

import re

import pytest

from core.accounts import credentials, services
from core.accounts.tables import ApiCredential
from core.tenancy import TenantScope
from tenants.tables import Street
from tests.http import csrf_token, post_form


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def resident(tenant, make_person):
    person = await make_person("刘芳", "13800000021")
    await services.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    return person


async def test_a_person_token_reads_their_profile_in_its_district(client, tenant, resident):
    issued = await credentials.issue("person", "看板", ["profile:read"], tenant_id=tenant.id, person_id=resident.id)
    response = await client.get("/api/v1/t/qindu/me", headers=_bearer(issued.token))
    assert response.status_code == 200
    assert response.json() == {"id": resident.id, "display_name": "刘芳", "district": "qindu", "roles": ["resident"]}
    stored = await ApiCredential.objects().first()
    assert stored.last_used_at is not None and issued.token not in stored.token_hash


async def test_the_wrong_district_the_wrong_scope_and_revoked_tokens_are_refused(client, tenant, other_tenant,
                                                                                 resident):
    issued = await credentials.issue("person", "看板", ["profile:read"], tenant_id=tenant.id, person_id=resident.id)
    elsewhere = await client.get("/api/v1/t/weicheng/me", headers=_bearer(issued.token))
    assert elsewhere.status_code == 403 and elsewhere.headers["content-type"].startswith("application/problem+json")
    no_scope = await client.get("/api/v1/t/qindu/organisation", headers=_bearer(issued.token))
    assert no_scope.status_code == 403
    await credentials.revoke(issued.credential.id, owner_id=resident.id)
    assert (await client.get("/api/v1/t/qindu/me", headers=_bearer(issued.token))).status_code == 401
    assert (await client.get("/api/v1/t/qindu/me", headers=_bearer("gz_p_made-up"))).status_code == 401
    assert (await client.get("/api/v1/t/qindu/me")).status_code == 401


async def test_a_client_key_reads_the_organisation_but_has_no_person(client, tenant, make_person):
    await TenantScope(tenant.id).create(Street, name="人民街道")
    issued = await credentials.issue("client", "12345 热线", ["organisation:read", "profile:read"],
                                     tenant_id=tenant.id, person_id=None)
    organisation = await client.get("/api/v1/t/qindu/organisation", headers=_bearer(issued.token))
    assert organisation.status_code == 200
    assert [s["name"] for s in organisation.json()["streets"]] == ["人民街道"]
    assert (await client.get("/api/v1/t/qindu/me", headers=_bearer(issued.token))).status_code == 403


async def test_tokens_are_made_on_the_account_page_and_shown_once(client, tenant, resident, sign_in):
    await sign_in(client, "13800000021")
    page = await client.get("/account/tokens")
    response = await client.post("/account/tokens", data={
        "name": "我的看板", "district": str(tenant.id), "scopes": ["profile:read"],
        "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    token = re.search(r'<code class="secret">(gz_p_[^<]+)</code>', response.text).group(1)
    assert (await client.get("/api/v1/t/qindu/me", headers=_bearer(token))).status_code == 200
    again = await client.get("/account/tokens")
    assert token not in again.text and token[:12] in again.text


async def test_a_token_needs_a_district_of_ones_own_and_a_scope(client, tenant, other_tenant, resident, sign_in):
    await sign_in(client, "13800000021")
    page = await client.get("/account/tokens", headers={"Accept-Language": "zh-CN"})
    response = await client.post("/account/tokens", data={
        "name": "越权", "district": str(other_tenant.id), "_csrf_token": csrf_token(page.text)},
        headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "请从列表中选择" in response.text and "请至少选择一项" in response.text
    publisher = await client.post("/account/tokens", data={
        "name": "发布", "district": "platform", "scopes": ["profile:read"], "_csrf_token": csrf_token(page.text)})
    assert publisher.status_code == 422
    assert await ApiCredential.count() == 0


async def test_client_keys_are_for_district_admins(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    staff = await make_person("李秀英", "13900000011")
    await services.add_membership(TenantScope(tenant.id), staff.id, ["staff"])
    await sign_in(client, "13900000011")
    assert (await client.get("/t/qindu/console/keys")).status_code == 403
    await sign_in(client, "13900000001")
    response = await post_form(client, "/t/qindu/console/keys", {"name": "12345 热线", "scopes": "organisation:read"})
    assert response.status_code == 200
    [key] = await credentials.client_keys(tenant.id)
    assert key.kind == "client" and key.person_id == admin.id
    page = await client.get("/t/qindu/console/keys")
    revoked = await client.post(f"/t/qindu/console/keys/{key.id}/revoke", data={"_csrf_token": csrf_token(page.text)})
    assert revoked.status_code == 303
    assert (await ApiCredential.objects().first()).revoked_at is not None


async def test_a_refused_token_form_keeps_what_was_chosen(client, tenant, resident, sign_in):
    await sign_in(client, "13800000021")
    page = await client.get("/account/tokens")
    response = await client.post("/account/tokens", data={
        "name": "", "district": str(tenant.id), "scopes": ["organisation:read"],
        "_csrf_token": csrf_token(page.text)})
    assert response.status_code == 422
    assert 'value="organisation:read" checked' in response.text
    assert f'value="{tenant.id}" selected' in response.text
