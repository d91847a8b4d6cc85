"""A district with red property enabled, a compound in one of its communities, an oversight
officer, and owners registered by CSV."""

from __future__ import annotations

import pytest

from core.accounts import services as accounts
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.red_property import estates, firms
from tenants.tables import Community, Street

BASE = "/t/qindu/p/red_property"
CODE = "91610402MA6TG1234T"  # a unified social credit code with a right check character
# Five owners; 王芳 owns two flats; the developer still holds two: 6 owners, 7 units.
CSV = """building,unit,area,owner,phone,developer_held
1号楼,1-101,89.57,王芳,13800000201,0
1号楼,1-101,89.57,李强,13800000202,0
1号楼,1-102,120.43,王芳,13800000201,0
1号楼,1-201,90,张伟,13800000203,0
2号楼,2-101,100,刘洋,13800000204,0
2号楼,2-102,100,陈静,13800000205,0
2号楼,2-201,100,,,1
2号楼,2-202,100,,,1
"""


@pytest.fixture
async def district(tenant):
    scope = TenantScope(tenant.id)
    await enablement.set_enabled(scope, "red_property", True, actor_id=None)
    return scope


@pytest.fixture
async def community(district):
    street = await district.create(Street, name="人民路街道")
    return await district.create(Community, street=street.id, name="渭阳西路社区")


@pytest.fixture
async def manager(district, make_person):
    person = await make_person("周主任", "13800000299")
    await accounts.add_membership(district, person.id, ["red_property.manager"])
    return person


@pytest.fixture
async def compound(district, community, manager):
    compound = await estates.add_compound(district, manager.id, {"name": "阳光小区", "community": str(community.id),
                                                                 "developer": "阳光地产"})
    report = await estates.import_csv(district, manager.id, compound.id, CSV.encode())
    assert report.rejected == []
    return compound


@pytest.fixture
async def owners(district, compound, make_person):
    """The owners as members of the district (王芳, 李强, 张伟, 刘洋, 陈静), by name."""
    found = {}
    for name, phone in (("王芳", "13800000201"), ("李强", "13800000202"), ("张伟", "13800000203"),
                        ("刘洋", "13800000204"), ("陈静", "13800000205")):
        person = await make_person(name, phone)
        await accounts.add_membership(district, person.id, ["resident"])
        found[name] = person
    return found


@pytest.fixture
async def firm(district, compound, manager, make_person):
    """A firm serving the compound, and one member of its staff."""
    firm = await firms.add(district, manager.id, {"firm_name": "红星物业", "credit_code": CODE, "party_organisation": "1"})
    await firms.serve(district, manager.id, compound.id, firm.id)
    staff = await make_person("物业小马", "13800000281")
    await accounts.add_membership(district, staff.id, [firms.FIRM_STAFF], "red_property_firm", firm.id)
    return firm, staff
