import pytest

from core.audit import services as audit
from core.audit.tables import AuditEntry


async def test_entries_are_read_per_tenant_and_for_the_platform(tenant, other_tenant, make_person):
    person = await make_person("王建华", "13900000001")
    await audit.record("roles.granted", actor_id=person.id, tenant_id=tenant.id, target="person:9", roles=["staff"])
    await audit.record("roles.granted", actor_id=person.id, tenant_id=other_tenant.id, target="person:8")
    await audit.record("tenant.approve", actor_id=person.id, target="tenant:liquan")
    [mine] = await audit.tenant_entries(tenant.id)
    assert (mine.action, mine.actor, mine.details) == ("roles.granted", "王建华", {"roles": ["staff"]})
    assert [e.target for e in await audit.platform_entries()] == ["tenant:liquan"]
    assert len(await audit.entries_about(person.id)) == 3


async def test_the_log_is_append_only(database):
    await audit.record("login.failed", client_address="10.0.0.1")
    # Refused by the triggers, and on PostgreSQL already by the application role's grants.
    with pytest.raises(Exception, match="append-only|permission denied"):
        await AuditEntry.update({AuditEntry.action: "nothing happened"}).where(AuditEntry.id > 0)
    with pytest.raises(Exception, match="append-only|permission denied"):
        await AuditEntry.delete().where(AuditEntry.id > 0)
    assert [row["action"] for row in await AuditEntry.select(AuditEntry.action)] == ["login.failed"]
