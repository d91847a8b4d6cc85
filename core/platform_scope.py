"""Platform scope: the short, named list of operations that work across districts.

Everything else reads and writes one district's rows through ``core.tenancy.TenantScope``.
Each operation here is a plain function registered with :func:`platform_operation`; a test
checks that this module is the only other place that queries tenant-owned tables directly,
and that the list below is what it registers. (On PostgreSQL, Row Level Security will let
these through in one documented way; see the isolation issue.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

OPERATIONS: dict[str, str] = {}


def platform_operation(reason: str) -> Callable[[F], F]:
    def register(function: F) -> F:
        OPERATIONS[function.__name__] = reason
        return function

    return register


@platform_operation("a person's own memberships across their districts, at log-in")
async def person_memberships(person_id: int) -> dict[int, frozenset[str]]:
    """``{tenant_id: roles}`` for every district where the person holds a role."""
    from core.accounts.tables import Membership, MembershipRole

    memberships = await Membership.select(Membership.id, Membership.tenant_id).where(Membership.person == person_id)
    if not memberships:
        return {}
    tenant_of = {row["id"]: row["tenant_id"] for row in memberships}
    roles: dict[int, set[str]] = {}
    rows = await MembershipRole.select(MembershipRole.membership, MembershipRole.role).where(
        MembershipRole.membership.is_in(list(tenant_of)))
    for row in rows:
        roles.setdefault(tenant_of[row["membership"]], set()).add(row["role"])
    return {tenant_id: frozenset(held) for tenant_id, held in roles.items()}
