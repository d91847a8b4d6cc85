import pytest

from core.accounts import services as accounts
from core.config import Settings
from core.feedback import categories, services
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street


@pytest.fixture
async def place(tenant, make_person):
    """qindu with a street, a community and a grid; a resident of the grid, its grid worker,
    the community's staff, the street's staff and the district admin."""
    scope = TenantScope(tenant.id)
    await categories.ensure_registered(scope)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    resident = await make_person("刘芳", "13900000021")
    await accounts.add_membership(scope, resident.id, ["resident"], "grid", grid.id)
    people = {}
    for key, name, phone, role, kind, unit in (
            ("grid_worker", "张伟", "13900000012", "grid_worker", "grid", grid.id),
            ("community_staff", "李秀英", "13900000011", "staff", "community", community.id),
            ("street_staff", "赵磊", "13900000031", "staff", "street", street.id),
            ("admin", "王建华", "13900000001", "district_admin", "", None)):
        person = await make_person(name, phone)
        await accounts.add_membership(scope, person.id, [role], kind, unit)
        people[key] = person
    cats = {c.key: c for c in await categories.enabled(scope)}
    return {"scope": scope, "street": street, "community": community, "grid": grid, "resident": resident,
            "categories": cats, **people}


@pytest.fixture
def submit(place):
    async def submit(key: str = "key-000001", **changes):
        data = {"category": str(place["categories"]["sanitation"].id), "description": "楼道堆放杂物，影响通行。",
                **changes}
        submission = await services.clean(place["scope"], data, person_id=place["resident"].id)
        return await services.submit(Settings.from_env(), place["scope"], "qindu", place["resident"].id,
                                     submission, idempotency_key=key)

    return submit
