import pytest

from core.accounts import passwords, services
from core.accounts.tables import Membership, MembershipRole, Person
from core.errors import Conflict
from core.forms import FieldError
from core.tenancy import TenantScope
from tests.conftest import PASSWORD


def test_passwords_are_argon2id_and_verify():
    hashed = passwords.hash_password("s3cret-pass")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "s3cret-pass")
    assert not passwords.verify_password(hashed, "wrong")
    assert not passwords.verify_password(None, "anything")
    assert not passwords.verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("value", "kind", "normalised"),
    [("138 0013 8000", "phone", "13800138000"), ("Li.Na@Example.com", "email", "li.na@example.com")],
)
def test_clean_identifier(value, kind, normalised):
    assert services.clean_identifier(value) == services.Identifier(kind, normalised)


@pytest.mark.parametrize("value", ["", "12345", "li@", "１３８"])
def test_clean_identifier_rejects(value):
    with pytest.raises(FieldError):
        services.clean_identifier(value)


@pytest.mark.parametrize("value", ["", "short", "a" * 129, "pass\x00word"])
def test_clean_password_rejects(value):
    with pytest.raises(FieldError):
        services.clean_password(value)


async def test_one_account_per_phone(make_person):
    await make_person(phone="13800000001")
    with pytest.raises(Conflict):
        await make_person(name="另一个人", phone="13800000001")
    assert await Person.count() == 1


async def test_authenticate(make_person):
    person = await make_person(phone="13800000001")
    found = await services.authenticate(services.Identifier("phone", "13800000001"), PASSWORD)
    assert found.id == person.id
    with pytest.raises(services.AuthenticationFailed):
        await services.authenticate(services.Identifier("phone", "13800000001"), "wrong password")
    with pytest.raises(services.AuthenticationFailed):
        await services.authenticate(services.Identifier("phone", "13800000009"), PASSWORD)


async def test_platform_roles_belong_to_the_person(make_person):
    person = await make_person(platform_roles=("platform_admin",))
    await services.grant_platform_role(person.id, "platform_admin")
    assert await services.platform_roles(person.id) == {"platform_admin"}
    actor = await services.actor_for(person)
    assert actor.has_platform_role("platform_admin") and not actor.has_platform_role("publisher")


async def test_memberships_hold_several_roles_per_district(make_person, tenant, other_tenant):
    person = await make_person()
    here, there = TenantScope(tenant.id), TenantScope(other_tenant.id)
    await services.add_membership(here, person.id, ["staff", "legal_aid.adviser"], "community", 7)
    await services.add_membership(here, person.id, ["staff"], "community", 7)
    await services.add_membership(here, person.id, ["grid_worker"], "grid", 3)
    await services.add_membership(there, person.id, ["resident"])
    assert await services.roles_in(here, person.id) == {"staff", "legal_aid.adviser", "grid_worker"}
    assert await services.roles_in(there, person.id) == {"resident"}
    assert await here.count(Membership) == 2
    assert await here.count(MembershipRole) == 3
