"""Envelope encryption: bound to district, table, row and person; reads checked and audited;
erasure destroys the data key while the audit log stays whole."""

import pytest

from core.accounts import personal_data
from core.audit import services as audit
from core.config import Settings
from core.errors import PermissionDenied
from core.protection import ciphers, services as protection
from core.protection.tables import DistrictKey, PersonKey
from core.tenancy import TenantScope


@pytest.fixture
def settings():
    return Settings.from_env()


def _nobody(_reader_id: int) -> bool:
    return False


async def test_only_wrapped_keys_are_stored_and_the_value_opens_for_its_person(settings, tenant, make_person):
    scope = TenantScope(tenant.id)
    person = await make_person("刘芳", "13800000021")
    sealed = await protection.seal(settings, scope, person.id, "feedback_item", 7, "家住北大街 12 号，邻里纠纷")
    assert "北大街" not in sealed
    district_key = await scope.objects(DistrictKey).first()
    assert district_key.algorithm == "aes-gcm" and district_key.wrapped_key.startswith("v1:aes-gcm:")
    assert (await scope.objects(PersonKey).first()).wrapped_key.startswith("v1:aes-gcm:")
    plaintext = await protection.read(settings, scope, reader_id=person.id, person_id=person.id,
                                      table="feedback_item", row_id=7, sealed=sealed, may_read=_nobody)
    assert plaintext == "家住北大街 12 号，邻里纠纷"


async def test_sm4_districts(settings, tenant, make_person):
    scope = TenantScope(tenant.id)
    await protection.choose_algorithm(settings, scope, "sm4-gcm")
    person = await make_person("刘芳", "13800000021")
    sealed = await protection.seal(settings, scope, person.id, "consultation", 1, "咨询记录")
    assert sealed.startswith("v1:sm4-gcm:")
    assert await protection.read(settings, scope, reader_id=person.id, person_id=person.id, table="consultation",
                                 row_id=1, sealed=sealed, may_read=_nobody) == "咨询记录"


async def test_a_value_copied_to_another_row_or_district_does_not_open(settings, tenant, other_tenant, make_person):
    person = await make_person("刘芳", "13800000021")
    here = TenantScope(tenant.id)
    sealed = await protection.seal(settings, here, person.id, "feedback_item", 7, "隐私")
    with pytest.raises(ciphers.CannotOpen):
        await protection.read(settings, here, reader_id=person.id, person_id=person.id, table="feedback_item",
                              row_id=8, sealed=sealed, may_read=_nobody)
    there = TenantScope(other_tenant.id)
    await protection.seal(settings, there, person.id, "feedback_item", 7, "别处")
    with pytest.raises(ciphers.CannotOpen):
        await protection.read(settings, there, reader_id=person.id, person_id=person.id, table="feedback_item",
                              row_id=7, sealed=sealed, may_read=_nobody)


async def test_reads_are_checked_and_audited(settings, tenant, make_person):
    scope = TenantScope(tenant.id)
    person = await make_person("刘芳", "13800000021")
    adviser = await make_person("法律顾问", "13900000031")
    stranger = await make_person("陌生人", "13900000032")
    sealed = await protection.seal(settings, scope, person.id, "consultation", 3, "离婚咨询")
    assigned = {adviser.id}
    assert await protection.read(settings, scope, reader_id=adviser.id, person_id=person.id, table="consultation",
                                 row_id=3, sealed=sealed, may_read=assigned.__contains__) == "离婚咨询"
    with pytest.raises(PermissionDenied):
        await protection.read(settings, scope, reader_id=stranger.id, person_id=person.id, table="consultation",
                              row_id=3, sealed=sealed, may_read=assigned.__contains__)
    actions = [(e.action, e.actor) for e in await audit.tenant_entries(tenant.id)]
    assert ("sensitive.read", "法律顾问") in actions and ("sensitive.denied", "陌生人") in actions


async def test_erasure_destroys_the_data_key_and_keeps_the_audit_log(settings, tenant, make_person):
    scope = TenantScope(tenant.id)
    person = await make_person("刘芳", "13800000021")
    sealed = await protection.seal(settings, scope, person.id, "consultation", 3, "离婚咨询")
    await protection.read(settings, scope, reader_id=person.id, person_id=person.id, table="consultation",
                          row_id=3, sealed=sealed, may_read=_nobody)
    entries_before = len(await audit.tenant_entries(tenant.id))
    await personal_data.erase(person.id)
    with pytest.raises(ciphers.CannotOpen):
        await protection.read(settings, scope, reader_id=person.id, person_id=person.id, table="consultation",
                              row_id=3, sealed=sealed, may_read=lambda _r: True)
    assert (await scope.objects(PersonKey).first()).destroyed_at is not None
    assert len(await audit.tenant_entries(tenant.id)) >= entries_before


async def test_a_district_admin_chooses_sm4_before_anything_is_sealed(client, tenant, make_person, sign_in):
    from core.accounts import services
    from tests.http import post_form

    admin = await make_person("王建华", "13900000001")
    await services.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    response = await post_form(client, "/t/qindu/console/", {"encryption_algorithm": "sm4-gcm"},
                               action="/t/qindu/console/security")
    assert response.status_code == 303
    assert await protection.current_algorithm(TenantScope(tenant.id)) == "sm4-gcm"
    page = await client.get("/t/qindu/console/", headers={"Accept-Language": "zh-CN"})
    assert "敏感数据使用 SM4-GCM 加密" in page.text
    refused = await post_form(client, "/t/qindu/console/", {"encryption_algorithm": "aes-gcm"},
                              action="/t/qindu/console/security")
    assert refused.status_code == 409
    assert await protection.current_algorithm(TenantScope(tenant.id)) == "sm4-gcm"
