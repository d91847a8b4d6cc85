"""A person downloads their data, and erases their account; the audit log keeps a pseudonym."""

import json

from core.accounts import credentials, services
from core.accounts.tables import ApiCredential, Membership, Person, Session
from core.audit import services as audit
from core.tenancy import TenantScope
from tests.conftest import PASSWORD
from tests.http import csrf_token


async def test_export_holds_what_is_held_across_districts(client, tenant, other_tenant, make_person, sign_in):
    person = await make_person("刘芳", "13800000021")
    await services.add_membership(TenantScope(tenant.id), person.id, ["resident"], "community", 3)
    await services.add_membership(TenantScope(other_tenant.id), person.id, ["staff"])
    await sign_in(client, "13800000021")
    response = await client.get("/account/data/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["person"]["phone"] == "13800000021" and data["person"]["has_password"] is True
    assert sorted(m["tenant_id"] for m in data["memberships"]) == sorted([tenant.id, other_tenant.id])
    assert any(entry["action"] == "login.succeeded" for entry in data["audit_log"])
    assert "password_hash" not in response.text


async def test_erasure_pseudonymises_and_keeps_the_audit_log(client, tenant, make_person, sign_in):
    person = await make_person("刘芳", "13800000021")
    await services.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    await credentials.issue("person", "看板", ["profile:read"], tenant_id=tenant.id, person_id=person.id)
    await sign_in(client, "13800000021")
    page = await client.get("/account/data", headers={"Accept-Language": "zh-CN"})

    unconfirmed = await client.post("/account/data/erase", data={"password": PASSWORD,
                                                                 "_csrf_token": csrf_token(page.text)},
                                     headers={"Accept-Language": "zh-CN"})
    assert unconfirmed.status_code == 422 and "请勾选以确认" in unconfirmed.text
    assert (await Person.objects().first()).phone == "13800000021"

    done = await client.post("/account/data/erase", data={"confirm": "1", "password": PASSWORD,
                                                          "_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303
    erased = await Person.objects().where(Person.id == person.id).first()
    assert erased.phone is None and erased.password_hash is None
    assert erased.display_name.startswith("已注销用户-")
    assert await TenantScope(tenant.id).count(Membership) == 0
    assert await Session.count() == 0
    assert (await ApiCredential.objects().first()).revoked_at is not None
    entries = await audit.entries_about(person.id)
    assert entries and all(entry.actor == erased.display_name for entry in entries)
    # The number is free again for a new account.
    await make_person("新用户", "13800000021")
