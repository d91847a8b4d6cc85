"""Platform roles as admins manage them: granted to the account with a phone number or email,
listed with when they were granted, revoked with the person's publisher tokens; every change
audited with the admin who made it."""

from __future__ import annotations

import pytest

from core.accounts import credentials, platform_roles, services
from core.accounts.roles import PUBLISHER
from core.accounts.tables import ApiCredential, PlatformRole
from core.audit import services as audit
from core.errors import Conflict, ValidationFailed


def _phone(value: str) -> services.Identifier:
    return services.Identifier("phone", value)


async def test_grant_by_phone_and_by_email_is_audited_and_listed(make_person, platform_admin):
    chen = await make_person("陈出版", "13700000001")
    lin = await services.create_person("林出版", services.Identifier("email", "lin@example.com"), "pass-word-123")
    assert await platform_roles.holders(PUBLISHER) == []

    assert (await platform_roles.grant(_phone("13700000001"), PUBLISHER, actor_id=platform_admin.id,
                                       client_address="10.0.0.1")).id == chen.id
    await platform_roles.grant(services.clean_identifier("Lin@Example.com"), PUBLISHER, actor_id=platform_admin.id)

    assert PUBLISHER in await services.platform_roles(chen.id)
    listed = await platform_roles.holders(PUBLISHER)
    assert [(h.person_id, h.display_name, h.identifier) for h in listed] == [
        (chen.id, "陈出版", "13700000001"), (lin.id, "林出版", "lin@example.com")]
    assert all(h.granted_at is not None for h in listed)
    entries = [e for e in await audit.platform_entries() if e.action == platform_roles.GRANTED]
    assert sorted((e.actor, e.target, e.details["role"]) for e in entries) == [
        ("周立平", f"person:{chen.id}", PUBLISHER), ("周立平", f"person:{lin.id}", PUBLISHER)]
    assert {e.client_address for e in entries} == {"10.0.0.1", ""}


async def test_a_role_granted_in_code_is_listed_without_a_date(make_person):
    chen = await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))
    await make_person("周立平", "13900000000", platform_roles=("platform_admin",))
    [holder] = await platform_roles.holders(PUBLISHER)
    assert (holder.person_id, holder.granted_at) == (chen.id, None)


async def test_an_unknown_account_is_a_field_error(platform_admin):
    with pytest.raises(ValidationFailed) as raised:
        await platform_roles.grant(_phone("13700000009"), PUBLISHER, actor_id=platform_admin.id)
    assert list(raised.value.errors) == ["identifier"]
    assert await PlatformRole.count().where(PlatformRole.role == PUBLISHER) == 0


async def test_granting_twice_writes_nothing_twice(make_person, platform_admin):
    chen = await make_person("陈出版", "13700000001")
    await platform_roles.grant(_phone("13700000001"), PUBLISHER, actor_id=platform_admin.id)
    with pytest.raises(Conflict):
        await platform_roles.grant(_phone("13700000001"), PUBLISHER, actor_id=platform_admin.id)
    assert await PlatformRole.count().where(PlatformRole.person == chen.id) == 1
    assert len([e for e in await audit.platform_entries() if e.action == platform_roles.GRANTED]) == 1


async def test_revoking_takes_the_role_and_the_publisher_tokens(make_person, platform_admin, tenant):
    chen = await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))
    publisher_token = await credentials.issue("publisher", "ci", ["marketplace:publish"], tenant_id=None,
                                              person_id=chen.id)
    district_token = await credentials.issue("person", "app", ["profile:read"], tenant_id=tenant.id,
                                             person_id=chen.id)

    assert await platform_roles.revoke(chen.id, PUBLISHER, actor_id=platform_admin.id) is True
    assert PUBLISHER not in await services.platform_roles(chen.id)
    assert await platform_roles.holders(PUBLISHER) == []
    revoked = {row["id"]: row["revoked_at"] for row in await ApiCredential.select(
        ApiCredential.id, ApiCredential.revoked_at)}
    assert revoked[publisher_token.credential.id] is not None
    assert revoked[district_token.credential.id] is None  # a district's token is not the role's
    [entry] = [e for e in await audit.platform_entries() if e.action == platform_roles.REVOKED]
    assert (entry.actor, entry.target, entry.details) == (
        "周立平", f"person:{chen.id}", {"role": PUBLISHER, "tokens_revoked": [publisher_token.credential.prefix]})

    # Revoking again (or someone who never held it) changes nothing and records nothing.
    assert await platform_roles.revoke(chen.id, PUBLISHER, actor_id=platform_admin.id) is False
    assert await platform_roles.revoke(987654, PUBLISHER, actor_id=platform_admin.id) is False
    assert len([e for e in await audit.platform_entries() if e.action == platform_roles.REVOKED]) == 1


async def test_revoking_one_role_keeps_the_others(make_person):
    both = await make_person("周立平", "13900000000", platform_roles=("platform_admin", PUBLISHER))
    assert await services.revoke_platform_role(both.id, PUBLISHER) is True
    assert await services.platform_roles(both.id) == frozenset({"platform_admin"})
