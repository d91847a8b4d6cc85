"""A person's appointments, in every district, are in their data download."""

from __future__ import annotations

from core.accounts import personal_data
from core.appointments import services
from core.tenancy import TenantScope
from tests.core.appointments.test_services import _slot


async def test_the_download_lists_the_appointments_booked_in_every_district(tenant, other_tenant, make_person):
    person = await make_person("刘芳", "13800000021")
    neighbour = await make_person("陈明", "13800000022")
    for district in (tenant, other_tenant):
        scope = TenantScope(district.id)
        slot = await _slot(scope, title="心理咨询")
        await services.book(scope, slot.id, person.id)
        await services.book(scope, slot.id, neighbour.id)
    exported = (await personal_data.export(person.id))["appointments"]
    assert sorted(row["tenant_id"] for row in exported) == sorted([tenant.id, other_tenant.id])
    assert {row["title"] for row in exported} == {"心理咨询"} and all(row["cancelled_at"] is None for row in exported)
    assert "appointments" not in await personal_data.export((await make_person("王强", "13800000023")).id)
