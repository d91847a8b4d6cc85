"""Demo data: two active districts of 咸阳市 with their streets, communities, grids and
departments. Loading it again changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from core.accounts import roles, services as accounts
from core.feedback import categories as feedback_categories
from core.notices import catalogue, services as notices
from core.notices.tables import Notice
from core.tenancy import TenantScope
from tenants import bounds, services
from tenants.tables import Community, Department, Grid, Street, Tenant, TenantStatus

DISTRICTS = [
    {
        "slug": "qindu",
        "name": "秦都区",
        "division_code": "610402",
        "streets": {
            "人民街道": ["北大街社区", "民生路社区", "安谷社区"],
            "西兰路街道": ["西兰路社区", "玉泉社区", "天王社区"],
            "吴家堡街道": ["吴家堡社区", "电建社区"],
        },
        "departments": ["城市管理局", "住房和城乡建设局", "市场监督管理局", "民政局", "司法局", "卫生健康局"],
        # Coordinates sent with feedback must fall in here: south, west, north, east.
        "bounds": (34.28, 108.55, 34.42, 108.78),
    },
    {
        "slug": "weicheng",
        "name": "渭城区",
        "division_code": "610404",
        "streets": {
            "新兴路街道": ["新兴北路社区", "朝阳社区", "彩虹社区"],
            "中山街道": ["中山社区", "沣河社区"],
            "文汇路街道": ["文汇社区", "育才社区"],
        },
        "departments": ["城市管理局", "住房和城乡建设局", "市场监督管理局", "民政局", "司法局", "卫生健康局"],
    },
]

GRIDS_PER_COMMUNITY = 2

# Every demo account has this password (README lists the log-ins).
DEMO_PASSWORD = "gongzhi2026"
PLATFORM_ADMIN = ("周立平", "13900000000")

# (name, phone, roles, unit kind, unit name): unit names are looked up in the district.
PEOPLE = {
    "qindu": [
        ("王建华", "13900000001", [roles.DISTRICT_ADMIN], "", ""),
        ("李秀英", "13900000011", [roles.STAFF], "community", "北大街社区"),
        ("张伟", "13900000012", [roles.GRID_WORKER], "grid", "北大街社区/第1网格"),
        ("马志强", "13900000013", [roles.DEPARTMENT_STAFF], "department", "城市管理局"),
        ("赵刚", "13900000014", [roles.STAFF], "street", "人民街道"),
        ("刘芳", "13900000021", [roles.RESIDENT], "community", "北大街社区"),
        ("陈明", "13900000022", [roles.RESIDENT], "community", "西兰路社区"),
    ],
    "weicheng": [
        ("杨丽", "13900000002", [roles.DISTRICT_ADMIN], "", ""),
        ("赵磊", "13900000031", [roles.STAFF], "community", "新兴北路社区"),
        ("孙强", "13900000032", [roles.GRID_WORKER], "grid", "新兴北路社区/第1网格"),
        ("吴敏", "13900000041", [roles.RESIDENT], "community", "朝阳社区"),
    ],
}

# Published notices: (title, body, category, audience, pinned, author phone, reviewer phone).
NOTICES = {
    "qindu": [
        ("关于冬季供暖安全的温馨提示",
         "进入供暖季，请各位居民注意：\n\n- 不要私自改装暖气管道；\n- 发现漏水请及时联系物业；\n"
         "- 使用电暖器时远离易燃物品。\n\n如有问题，请联系所在社区。", "服务公开", "district", True,
         "13900000011", "13900000001"),
        ("2026年10月北大街社区财务公开",
         "## 收入\n\n- 上级拨付社区工作经费：30,000 元\n\n## 支出\n\n- 社区活动：8,600 元\n"
         "- 办公用品：2,350 元\n\n结余 19,050 元。如有疑问，请在本页提问。", "财务公开", "community:北大街社区", False,
         "13900000011", "13900000001"),
    ],
    "weicheng": [
        ("新兴北路社区居民议事会召开通知",
         "本周六上午9点在社区活动室召开居民议事会，讨论小区停车管理方案，欢迎居民参加。", "居务公开",
         "community:新兴北路社区", False, "13900000031", "13900000002"),
    ],
}

# Feedback items: (resident phone, category key, description, grid "community/grid" or "",
# public, what happens to it: a list of (action, actor phone, note)).
FEEDBACK = {
    "qindu": [
        ("13900000021", "sanitation", "北大街12号楼道堆放杂物，影响通行。", "北大街社区/第1网格", True,
         [("accept", "13900000012", ""), ("resolve", "13900000012", "已联系住户清理楼道杂物。"),
          ("rate", "13900000021", "处理很及时，谢谢！")]),
        ("13900000021", "facilities", "小区东门路灯坏了一周，晚上很黑。", "北大街社区/第1网格", True,
         [("accept", "13900000012", ""), ("start", "13900000012", "")]),
        ("13900000022", "suggestion", "建议在社区广场增设几张老年人休息座椅。", "", True, []),
        ("13900000021", "family", "家中老人行动不便，希望社区帮助联系上门护理。", "", False, []),
    ],
    "weicheng": [
        ("13900000041", "sanitation", "朝阳社区3号院垃圾清运不及时，已经堆了两天。", "", True, []),
    ],
}

# A district that is not serving, so that what residents then see can be shown and tested.
SUSPENDED = {
    "slug": "xingping",
    "name": "兴平市",
    "division_code": "610481",
    "reason": "服务合同续签中，暂停服务，数据均已保留。",
}


async def _ensure_tenant(spec: dict) -> Tenant:
    existing = await Tenant.objects().where(Tenant.slug == spec["slug"]).first()
    if existing is not None:
        return existing
    draft = services.clean_tenant(
        {"slug": spec["slug"], "name": spec["name"], "division_code": spec["division_code"]}
    )
    return await services.create_tenant(draft, status=TenantStatus.active)


async def _ensure_units(scope: TenantScope, spec: dict) -> int:
    created = 0
    async with scope.transaction(write=True):
        for street_name, community_names in spec["streets"].items():
            street = await scope.objects(Street).where(Street.name == street_name).first()
            if street is None:
                street = await scope.create(Street, name=street_name)
                created += 1
            for community_name in community_names:
                community = (
                    await scope.objects(Community)
                    .where(Community.street == street.id, Community.name == community_name)
                    .first()
                )
                if community is None:
                    community = await scope.create(Community, street=street.id, name=community_name)
                    created += 1
                for number in range(1, GRIDS_PER_COMMUNITY + 1):
                    grid_name = f"第{number}网格"
                    grid_exists = await scope.exists(Grid).where(
                        Grid.community == community.id, Grid.name == grid_name
                    )
                    if not grid_exists:
                        await scope.create(Grid, community=community.id, name=grid_name)
                        created += 1
        for department_name in spec["departments"]:
            if not await scope.exists(Department).where(Department.name == department_name):
                await scope.create(Department, name=department_name)
                created += 1
    return created


async def _ensure_person(name: str, phone: str) -> tuple[int, bool]:
    identifier = accounts.Identifier("phone", phone)
    person = await accounts.find_person(identifier)
    if person is not None:
        return person.id, False
    return (await accounts.create_person(name, identifier, DEMO_PASSWORD)).id, True


async def _unit_id(scope: TenantScope, kind: str, name: str) -> int | None:
    if kind == "community":
        row = await scope.select(Community, Community.id).where(Community.name == name).first()
    elif kind == "grid":
        community_name, grid_name = name.split("/")
        community = await scope.select(Community, Community.id).where(Community.name == community_name).first()
        row = await scope.select(Grid, Grid.id).where(
            Grid.community == community["id"], Grid.name == grid_name).first()
    elif kind == "department":
        row = await scope.select(Department, Department.id).where(Department.name == name).first()
    elif kind == "street":
        row = await scope.select(Street, Street.id).where(Street.name == name).first()
    else:
        return None
    return row["id"]


async def _ensure_people(scope: TenantScope, slug: str) -> int:
    created = 0
    for name, phone, held, unit_kind, unit_name in PEOPLE[slug]:
        person_id, new = await _ensure_person(name, phone)
        created += new
        unit_id = await _unit_id(scope, unit_kind, unit_name)
        await accounts.add_membership(scope, person_id, held, unit_kind, unit_id)
    return created


async def _ensure_notices(scope: TenantScope, slug: str) -> int:
    if await scope.count(Notice):
        return 0
    categories = {c.name: c.id for c in await catalogue.categories(scope)}
    for title, body, category, audience, pinned, author_phone, reviewer_phone in NOTICES[slug]:
        kind, _colon, unit_name = audience.partition(":")
        value = f"{kind}:{await _unit_id(scope, kind, unit_name)}" if unit_name else kind
        author = await accounts.find_person(accounts.Identifier("phone", author_phone))
        reviewer = await accounts.find_person(accounts.Identifier("phone", reviewer_phone))
        draft = await notices.clean(scope, {"title": title, "body": body, "category": str(categories[category]),
                                            "audience": value, "pinned": "1" if pinned else ""})
        notice = await notices.create(scope, draft, author_id=author.id)
        await notices.submit(scope, notice.id, actor_id=author.id, revision=notice.revision)
        await notices.approve(scope, notice.id, actor_id=reviewer.id, revision=notice.revision + 1)
    return len(NOTICES[slug])


async def _ensure_feedback(scope: TenantScope, slug: str) -> int:
    from core.config import Settings
    from core.feedback import services as feedback, workflow
    from core.feedback.tables import FeedbackCategory, FeedbackItem

    if await scope.count(FeedbackItem):
        return 0
    settings = Settings.from_env()
    keys = {row["key"]: row["id"] for row in await scope.select(FeedbackCategory, FeedbackCategory.key,
                                                                FeedbackCategory.id)}
    for number, (phone, key, description, grid, public, steps) in enumerate(FEEDBACK[slug], start=1):
        resident = await accounts.find_person(accounts.Identifier("phone", phone))
        data = {"category": str(keys[key]), "description": description, "public": "1" if public else ""}
        if grid:
            data["grid"] = str(await _unit_id(scope, "grid", grid))
        submission = await feedback.clean(scope, data, person_id=resident.id)
        item, _new = await feedback.submit(settings, scope, slug, resident.id, submission,
                                           idempotency_key=f"demo-{slug}-{number:04d}")
        for action, actor_phone, note in steps:
            actor = await accounts.find_person(accounts.Identifier("phone", actor_phone))
            revision = (await scope.get(FeedbackItem, item.id)).revision
            if action == "accept":
                await workflow.accept(scope, slug, item.id, actor_id=actor.id, revision=revision)
            elif action == "start":
                await workflow.start(scope, slug, item.id, actor_id=actor.id, revision=revision)
            elif action == "resolve":
                await workflow.resolve(scope, slug, item.id, actor_id=actor.id, revision=revision,
                                       what_was_done=note, settings=settings)
            elif action == "rate":
                await workflow.rate(scope, slug, item.id, person_id=actor.id, rating="5", comment=note,
                                    settings=settings)
    return len(FEEDBACK[slug])


async def plugin_demo(scope: TenantScope, slug: str) -> list[str]:
    """Each plugin the district has enabled writes its demo data (a plugin that fails is
    reported in the log and skipped); returns the plugins that wrote some."""
    from core.plugins import enablement
    from core.plugins.host import host

    plugins = await enablement.enabled_in(scope.tenant_id)
    done = await host().call_each("demo_data", plugins, tenant_id=scope.tenant_id, place="demo data", scope=scope,
                                  slug=slug)
    return sorted(name for name, _result in done if name in plugins)


async def load_demo(report: Callable[[str], None] = print) -> None:
    admin_id, new = await _ensure_person(*PLATFORM_ADMIN)
    await accounts.grant_platform_role(admin_id, roles.PLATFORM_ADMIN)
    report(f"Platform admin {PLATFORM_ADMIN[0]} ({PLATFORM_ADMIN[1]}){' created' if new else ''}")
    for number, spec in enumerate(DISTRICTS, start=1):
        report(f"[{number}/{len(DISTRICTS)}] {spec['name']} ({spec['slug']})")
        tenant = await _ensure_tenant(spec)
        scope = TenantScope(tenant.id)
        if "bounds" in spec and await bounds.of(tenant.id) is None:
            await bounds.save(tenant.id, bounds.Bounds(*spec["bounds"]))
        created = await _ensure_units(scope, spec)
        report(f"      organisation units: {created} new")
        people = await _ensure_people(scope, spec["slug"])
        report(f"      people: {people} new")
        await catalogue.ensure_standard(scope)
        await feedback_categories.ensure_registered(scope)
        report(f"      notices: {await _ensure_notices(scope, spec['slug'])} new")
        report(f"      feedback items: {await _ensure_feedback(scope, spec['slug'])} new")
        for name in await plugin_demo(scope, spec["slug"]):
            report(f"      plugin {name}: demo data")
    report(f"[+] {SUSPENDED['name']} ({SUSPENDED['slug']}), suspended")
    suspended = await _ensure_tenant(SUSPENDED)
    if suspended.status == TenantStatus.active.value:
        await services.change_status(SUSPENDED["slug"], "suspend", SUSPENDED["reason"])
    report("Demo data loaded.")
