import pytest

from core.accounts import services as accounts
from core.notices import catalogue
from core.tenancy import TenantScope
from tenants.tables import Community, Grid, Street


@pytest.fixture
async def district(tenant, make_person):
    """qindu with two communities (each with a grid), its catalogue, two staff and a
    resident in each community."""
    scope = TenantScope(tenant.id)
    await catalogue.ensure_standard(scope)
    street = await scope.create(Street, name="人民街道")
    north = await scope.create(Community, street=street.id, name="北大街社区")
    south = await scope.create(Community, street=street.id, name="民生路社区")
    north_grid = await scope.create(Grid, community=north.id, name="第1网格")
    await scope.create(Grid, community=south.id, name="第1网格")
    author = await make_person("李秀英", "13900000011")
    reviewer = await make_person("王建华", "13900000001")
    await accounts.add_membership(scope, author.id, ["staff"])
    await accounts.add_membership(scope, reviewer.id, ["district_admin"])
    north_resident = await make_person("刘芳", "13900000021")
    south_resident = await make_person("陈明", "13900000022")
    await accounts.add_membership(scope, north_resident.id, ["resident"], "grid", north_grid.id)
    await accounts.add_membership(scope, south_resident.id, ["resident"], "community", south.id)
    categories = {c.name: c for c in await catalogue.categories(scope)}
    return {"scope": scope, "street": street, "north": north, "south": south, "north_grid": north_grid,
            "author": author, "reviewer": reviewer, "north_resident": north_resident,
            "south_resident": south_resident, "categories": categories}


@pytest.fixture
def publish(district):
    """Draft, submit (the author) and approve (the reviewer) a notice; returns it published."""
    from core.notices import services
    from core.notices.tables import Notice

    async def publish(title: str = "2026年11月财务公开", body: str = "正文", audience: str = "district",
                      category: str | None = None) -> Notice:
        scope = district["scope"]
        fields = {"title": title, "body": body, "audience": audience}
        if category:
            fields["category"] = str(district["categories"][category].id)
        notice = await services.create(scope, await services.clean(scope, fields), author_id=district["author"].id)
        await services.submit(scope, notice.id, actor_id=district["author"].id, revision=notice.revision)
        await services.approve(scope, notice.id, actor_id=district["reviewer"].id, revision=notice.revision + 1)
        return await scope.get(Notice, notice.id)

    return publish
