"""The scoped helper: a tenant's queries see only its rows, and no code bypasses it."""

import ast
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT
from core.tenancy import CrossTenantWrite, TenantOwned, TenantScope
from tenants.tables import Community, Department, Street


async def test_each_scope_sees_only_its_own_rows(tenant, other_tenant):
    mine, theirs = TenantScope(tenant.id), TenantScope(other_tenant.id)
    async with mine.transaction(write=True):
        await mine.create(Department, name="城市管理局")
        await mine.create(Department, name="民政局")
    async with theirs.transaction(write=True):
        await theirs.create(Department, name="司法局")

    assert {row["name"] for row in await mine.select(Department, Department.name)} == {"城市管理局", "民政局"}
    assert [row.name for row in await theirs.objects(Department)] == ["司法局"]
    assert await mine.count(Department) == 2
    assert await theirs.exists(Department).where(Department.name == "民政局") is False


async def test_get_does_not_reach_another_tenants_row(tenant, other_tenant):
    theirs = TenantScope(other_tenant.id)
    street = await theirs.create(Street, name="中山街道")
    assert await TenantScope(tenant.id).get(Street, street.id) is None
    assert (await theirs.get(Street, street.id)).name == "中山街道"


async def test_update_and_delete_stay_in_scope(tenant, other_tenant):
    mine, theirs = TenantScope(tenant.id), TenantScope(other_tenant.id)
    await mine.create(Department, name="民政局")
    await theirs.create(Department, name="民政局")
    await mine.update(Department, {Department.name: "民政与社会事务局"})
    await mine.delete(Department).where(Department.name == "不存在")
    assert [r.name for r in await theirs.objects(Department)] == ["民政局"]
    await theirs.delete(Department).where(Department.id > 0)
    assert [r.name for r in await mine.objects(Department)] == ["民政与社会事务局"]


async def test_writes_for_another_tenant_are_refused(tenant, other_tenant):
    mine = TenantScope(tenant.id)
    with pytest.raises(CrossTenantWrite):
        mine.new(Street, tenant_id=other_tenant.id, name="外区街道")
    row = await TenantScope(other_tenant.id).create(Street, name="中山街道")
    with pytest.raises(CrossTenantWrite):
        await mine.save(row)
    with pytest.raises(CrossTenantWrite):
        mine.update(Street, {Street.tenant_id: tenant.id})


def test_a_scope_needs_a_real_tenant_id():
    for bad in (0, -1, None, "1", True):
        with pytest.raises(ValueError):
            TenantScope(bad)


def test_tenant_owned_tables_are_indexed_by_tenant():
    for table in (Street, Community, Department):
        assert issubclass(table, TenantOwned)
        assert table.tenant_id._meta.params["index"] is True
        assert table.tenant_id._meta.null is False


_QUERY_METHODS = {"select", "objects", "update", "delete", "count", "exists", "insert", "raw"}
_ALLOWED = {Path("core/tenancy.py"), Path("core/platform_scope.py")}


def _tenant_owned_names() -> set[str]:
    from core.db import all_tables

    return {t.__name__ for t in all_tables() if issubclass(t, TenantOwned)}


def test_no_code_queries_a_tenant_owned_table_outside_the_scope():
    """``Street.select()`` and the like are written only inside core/tenancy.py."""
    names = _tenant_owned_names()
    assert "Street" in names
    offenders = []
    for folder in ("core", "tenants", "plugins", "docs/examples"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(PROJECT_ROOT)
            if relative in _ALLOWED:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _QUERY_METHODS
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in names
                ):
                    offenders.append(f"{relative}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    assert not offenders, "query tenant-owned tables through TenantScope: " + ", ".join(offenders)


def test_platform_scope_lists_its_operations():
    from core import platform_scope

    assert {name for name in platform_scope.OPERATIONS if "." not in name} == {
        "person_memberships", "person_membership_details", "end_person_memberships", "forget_invitation_targets",
        "destroy_person_keys", "waiting_event_deliveries", "stalled_fan_outs", "due_channel_messages",
        "person_inbox", "erase_person_inbox", "person_push_devices", "erase_person_push_devices", "person_bookings", "notices_due",
        "districts_with_plugin", "plugin_district_counts", "district_keys_to_rewrap", "district_keys_by_master_key"}
    assert all(reason for reason in platform_scope.OPERATIONS.values())
