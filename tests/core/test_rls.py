"""PostgreSQL's own wall: Row Level Security on every tenant-owned table, an application role
that owns nothing, and a tenant setting that never outlives its transaction."""

import pytest

from core import db
from core.db import all_tables
from core.tenancy import TenantOwned, TenantScope, without_application_filter
from tenants.tables import Community, Street

pytestmark = pytest.mark.postgres

TENANT_OWNED = [t._meta.tablename for t in all_tables() if issubclass(t, TenantOwned)]


async def test_every_tenant_owned_table_has_forced_rls_and_a_policy(database):
    assert "tenants_street" in TENANT_OWNED and "accounts_membership" in TENANT_OWNED
    # A plugin's tables (the example's, installed like a third party's) are walled like core's.
    assert {"parking_space", "parking_application", "parking_allocation"} <= set(TENANT_OWNED)
    for name in TENANT_OWNED:
        [row] = await Street.raw(
            "SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced, "
            "(SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) AS policies "
            "FROM pg_class c WHERE c.relname = {}", name)
        assert (row["enabled"], row["forced"], row["policies"] >= 1) == (True, True, True), name


async def test_the_application_role_owns_nothing_and_cannot_bypass(database):
    [role] = await Street.raw("SELECT rolsuper, rolbypassrls, rolname FROM pg_roles WHERE rolname = current_user")
    assert role["rolsuper"] is False and role["rolbypassrls"] is False
    [owned] = await Street.raw("SELECT count(*) AS n FROM pg_tables WHERE tableowner = current_user")
    assert owned["n"] == 0
    with pytest.raises(Exception):
        await Street.raw("UPDATE core_audit_entry SET action = 'x'")


async def test_rls_alone_keeps_districts_apart(tenant, other_tenant):
    a, b = TenantScope(tenant.id), TenantScope(other_tenant.id)
    street = await a.create(Street, name="甲区人民街道")
    await b.create(Street, name="中山街道")
    with without_application_filter():
        assert [row.name for row in await b.objects(Street)] == ["中山街道"]
        assert await b.get(Street, street.id) is None
        await b.update(Street, {Street.name: "越界"}).where(Street.id == street.id)
        await b.delete(Street).where(Street.id == street.id)
        with pytest.raises(Exception):  # WITH CHECK: B cannot write a row for A
            async with b.transaction(write=True):
                await Community.insert(Community(tenant_id=tenant.id, street=street.id, name="越界社区"))
    assert (await a.get(Street, street.id)).name == "甲区人民街道"


async def test_outside_a_transaction_nothing_tenant_owned_is_visible(tenant):
    await TenantScope(tenant.id).create(Street, name="甲区人民街道")
    [row] = await Street.raw("SELECT count(*) AS n FROM tenants_street")
    assert row["n"] == 0


async def test_the_setting_never_leaks_to_the_next_use_of_a_connection(tenant):
    engine = db.engine()
    await engine.close_connection_pool()
    await engine.start_connection_pool(min_size=1, max_size=1)
    try:
        scope = TenantScope(tenant.id)
        await scope.create(Street, name="甲区人民街道")
        assert await scope.count(Street) == 1  # a request for tenant A, on the only connection
        [row] = await Street.raw("SELECT count(*) AS n, current_setting('app.tenant_id', true) AS t "
                                 "FROM tenants_street")
        assert row["n"] == 0 and row["t"] in ("", None)
    finally:
        await engine.close_connection_pool()
        await engine.start_connection_pool(min_size=1, max_size=10)


@pytest.mark.slow
async def test_a_districts_query_uses_the_tenant_index_over_many_rows(tenant):
    """Seeded with generate_series (fast), 200,000 streets over 500 districts: a district's
    query reads its own rows through the tenant_id index, not the whole table."""
    async with db.platform_transaction(write=True):
        await Street.raw(
            "INSERT INTO tenants_street (tenant_id, name) "
            "SELECT 1000 + (n % 500), 'street ' || n FROM generate_series(1, 200000) AS n")
    scope = TenantScope(tenant.id)
    await scope.create(Street, name="甲区人民街道")
    async with scope.transaction():
        plan = await Street.raw("EXPLAIN " + str(scope.select(Street, Street.name)))
    text = "\n".join(row["QUERY PLAN"] for row in plan)
    assert "Index" in text and "tenant_id" in text, text
    assert await scope.count(Street) == 1
