import pytest

from core.accounts import credentials, services as accounts
from core.feedback import categories
from core.tenancy import TenantScope
from tenants import bounds
from tenants.tables import Community, Grid, Street

BASE = "/t/qindu/open311/v2"
# Inside qindu's bounds (the district sets them; coordinates outside are refused).
LAT, LONG = 34.35, 108.70


@pytest.fixture
async def district(tenant, make_person):
    """qindu with its categories, a street, a community and a grid, bounds, a resident of the
    grid, the district admin who issued an Open311 client key (``key``) and the street's staff."""
    scope = TenantScope(tenant.id)
    await categories.ensure_registered(scope)
    await bounds.save(tenant.id, bounds.Bounds(34.28, 108.55, 34.42, 108.78))
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    resident = await make_person("刘芳", "13900000021")
    await accounts.add_membership(scope, resident.id, ["resident"], "grid", grid.id)
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(scope, admin.id, ["district_admin"])
    street_staff = await make_person("赵磊", "13900000031")
    await accounts.add_membership(scope, street_staff.id, ["staff"], "street", street.id)
    key = await credentials.issue("client", "12345热线", ["open311:write"], tenant_id=tenant.id, person_id=admin.id)
    return {"tenant": tenant, "scope": scope, "street": street, "community": community, "grid": grid,
            "resident": resident, "admin": admin, "street_staff": street_staff, "key": key.token,
            "credential": key.credential, "categories": {c.key: c for c in await categories.every(scope)}}


@pytest.fixture
def post(client, district):
    """POST a service request as the district's client (``fmt`` json or xml)."""

    async def post(fmt: str = "json", **fields):
        data = {"api_key": district["key"], "service_code": "sanitation", "lat": str(LAT), "long": str(LONG),
                "description": "北大街12号门口垃圾三天没人清运。", **fields}
        data = {name: value for name, value in data.items() if value is not None}
        return await client.post(f"{BASE}/requests.{fmt}", data=data, headers={"Accept-Language": "en"})

    return post
