"""Transactions: concurrent check-then-write on the embedded engine neither fails nor loses."""

import asyncio

import pytest

from core import db
from core.tenancy import TenantScope
from tenants.tables import Department


async def test_concurrent_read_modify_write_transactions_all_succeed(tenant):
    scope = TenantScope(tenant.id)
    row = await scope.create(Department, name="0")

    async def bump() -> None:
        async with scope.transaction(write=True):
            current = await scope.get(Department, row.id, for_update=True)
            await asyncio.sleep(0)  # let the others try to interleave
            await scope.update(Department, {Department.name: str(int(current.name) + 1)}).where(
                Department.id == row.id
            )

    await asyncio.gather(*(bump() for _ in range(50)))
    assert (await scope.get(Department, row.id)).name == "50"


async def test_a_failed_transaction_leaves_nothing(tenant):
    scope = TenantScope(tenant.id)
    with pytest.raises(RuntimeError):
        async with scope.transaction(write=True):
            await scope.create(Department, name="半途")
            raise RuntimeError("boom")
    assert await scope.count(Department) == 0


async def test_nested_transactions_join_and_a_write_inside_a_read_is_refused(tenant):
    scope = TenantScope(tenant.id)
    async with scope.transaction(write=True):
        async with scope.transaction(write=True):
            await scope.create(Department, name="民政局")
    assert await scope.count(Department) == 1
    with pytest.raises(RuntimeError, match="write=True"):
        async with scope.transaction():
            async with scope.transaction(write=True):
                pass


@pytest.mark.postgres
async def test_postgres_transactions_carry_the_tenant_setting(tenant):
    from piccolo.apps.migrations.tables import Migration

    async with TenantScope(tenant.id).transaction():
        rows = await Migration.raw("SELECT current_setting('app.tenant_id', true) AS t")
    assert rows[0]["t"] == str(tenant.id)
    rows = await Migration.raw("SELECT current_setting('app.tenant_id', true) AS t")
    assert rows[0]["t"] in ("", None)


@pytest.mark.sqlite
async def test_sqlite_runs_in_wal_mode(database):
    assert db.is_sqlite()
    from piccolo.apps.migrations.tables import Migration

    rows = await Migration.raw("PRAGMA journal_mode")
    assert rows[0]["journal_mode"] == "wal"


@pytest.mark.postgres
async def test_a_connection_lost_inside_a_transaction_goes_back_to_the_pool(tenant):
    import asyncpg
    from piccolo.apps.migrations.tables import Migration

    pool = db.engine().pool
    scope = TenantScope(tenant.id)

    async def lose_one() -> None:
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            async with scope.transaction(write=True):
                await scope.create(Department, name="半途")
                await Migration.raw("SELECT pg_terminate_backend(pg_backend_pid())")

    # More losses than the pool has connections: a connection kept by a failed transaction
    # would leave the next acquire waiting for ever.
    for _ in range(pool.get_max_size() + 2):
        await asyncio.wait_for(lose_one(), timeout=10)
    assert await asyncio.wait_for(scope.count(Department), timeout=10) == 0
    rows = await Migration.raw("SELECT current_setting('app.tenant_id', true) AS t")
    assert rows[0]["t"] in ("", None)
