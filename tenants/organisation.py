"""Editing a district's organisation: streets → communities → grids, and departments.

A unit is removed only when nothing hangs from it (no units below it, nobody's membership
scoped to it), so nothing is orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.accounts.tables import Membership
from core.audit import services as audit
from core.errors import Conflict, NotFound
from core.forms import Form, text
from core.i18n import Message
from core.tenancy import TenantScope
from tenants.tables import Community, Department, Grid, Street


@dataclass(frozen=True)
class Kind:
    table: type
    parent_table: type | None
    parent_column: str | None


KINDS = {
    "street": Kind(Street, None, None),
    "community": Kind(Community, Street, "street"),
    "grid": Kind(Grid, Community, "community"),
    "department": Kind(Department, None, None),
}
_CHILD = {"street": ("community", Community, Community.street), "community": ("grid", Grid, Grid.community)}


async def units(scope: TenantScope) -> dict[str, list[dict]]:
    """Every unit of the district, in one read: streets, communities (with their street),
    grids (with their community) and departments, each in the order they were made."""
    async with scope.transaction():
        return {
            "streets": await scope.select(Street, Street.id, Street.name).order_by(Street.id),
            "communities": await scope.select(Community, Community.id, Community.street, Community.name).order_by(
                Community.id),
            "grids": await scope.select(Grid, Grid.id, Grid.community, Grid.name).order_by(Grid.id),
            "departments": await scope.select(Department, Department.id, Department.name).order_by(Department.id),
        }


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise NotFound()
    return KINDS[kind]


async def _name_taken(scope: TenantScope, kind: str, name: str, parent_id: int | None, except_id: int | None) -> bool:
    spec = _kind(kind)
    query = scope.exists(spec.table).where(spec.table.name == name)
    if spec.parent_column:
        query = query.where(getattr(spec.table, spec.parent_column) == parent_id)
    if except_id is not None:
        query = query.where(spec.table.id != except_id)
    return await query


async def add(scope: TenantScope, kind: str, data: dict, *, actor_id: int) -> None:
    spec = _kind(kind)
    form = Form(data)
    name = form.field("name", text, max_length=100)
    parent_id = None
    if spec.parent_table is not None:
        try:
            parent_id = int(data.get("parent", ""))
        except ValueError:
            parent_id = None
        if parent_id is None or await scope.get(spec.parent_table, parent_id) is None:
            form.error("parent", Message("Choose one of the list."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        if await _name_taken(scope, kind, name, parent_id, None):
            form.error("name", Message("There is already one with this name here."))
            form.raise_if_invalid()
        values = {"name": name}
        if spec.parent_column:
            values[spec.parent_column] = parent_id
        row = await scope.create(spec.table, **values)
        await audit.record("organisation.added", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"{kind}:{row.id}", name=name)


async def rename(scope: TenantScope, kind: str, unit_id: int, data: dict, *, actor_id: int) -> None:
    spec = _kind(kind)
    form = Form(data)
    name = form.field("name", text, max_length=100)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        row = await scope.get(spec.table, unit_id, for_update=True)
        if row is None:
            raise NotFound()
        parent_id = getattr(row, spec.parent_column) if spec.parent_column else None
        if await _name_taken(scope, kind, name, parent_id, unit_id):
            form.error("name", Message("There is already one with this name here."))
            form.raise_if_invalid()
        old = row.name
        await scope.update(spec.table, {spec.table.name: name}).where(spec.table.id == unit_id)
        await audit.record("organisation.renamed", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"{kind}:{unit_id}", old=old, new=name)


async def remove(scope: TenantScope, kind: str, unit_id: int, *, actor_id: int) -> None:
    spec = _kind(kind)
    async with scope.transaction(write=True):
        row = await scope.get(spec.table, unit_id, for_update=True)
        if row is None:
            raise NotFound()
        if kind in _CHILD:
            _child_kind, child_table, child_column = _CHILD[kind]
            if await scope.exists(child_table).where(child_column == unit_id):
                raise Conflict(Message("Remove or move what is under it first."))
        if await scope.exists(Membership).where(Membership.unit_kind == kind, Membership.unit_id == unit_id):
            raise Conflict(Message("People's roles are tied to it; change their roles first."))
        await scope.delete(spec.table).where(spec.table.id == unit_id)
        await audit.record("organisation.removed", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"{kind}:{unit_id}", name=row.name)
