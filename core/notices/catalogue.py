"""The disclosure catalogue of a district."""

from __future__ import annotations

from core.i18n import N_
from core.notices.tables import DisclosureCategory, Frequency
from core.tenancy import TenantScope

FREQUENCY_LABELS = {
    Frequency.monthly.value: N_("Monthly"),
    Frequency.quarterly.value: N_("Quarterly"),
    Frequency.half_yearly.value: N_("Every half year"),
    Frequency.yearly.value: N_("Yearly"),
    Frequency.on_occurrence.value: N_("When it happens"),
}

# The catalogue a new district starts from (the demo loads it too).
STANDARD_CATALOGUE = [
    {"name": "党务公开", "scope": "党组织设置、党员发展、党费收缴与使用、党组织活动",
     "standard": "在社区公开栏和共治平台同时公开，保留不少于一年", "frequency": "quarterly",
     "responsible_role": "staff"},
    {"name": "居务公开", "scope": "居民会议决定、社区工作计划及完成情况、惠民政策落实",
     "standard": "在社区公开栏和共治平台同时公开；涉及居民切身利益的事项事前公开", "frequency": "monthly",
     "responsible_role": "staff"},
    {"name": "财务公开", "scope": "社区收支、专项资金使用、集体资产管理",
     "standard": "列明收支项目与金额，经社区监督委员会审核后公开", "frequency": "monthly",
     "responsible_role": "staff"},
    {"name": "服务公开", "scope": "办事指南、服务项目与时间、收费标准、联系方式",
     "standard": "内容变化后五个工作日内更新", "frequency": "on_occurrence", "responsible_role": "staff"},
]


async def categories(scope: TenantScope) -> list[DisclosureCategory]:
    return await scope.objects(DisclosureCategory).order_by(DisclosureCategory.position).order_by(
        DisclosureCategory.id)


async def ensure_standard(scope: TenantScope) -> int:
    """Give the district the standard catalogue if it has none yet; returns how many were added."""
    async with scope.transaction(write=True):
        if await scope.count(DisclosureCategory):
            return 0
        for position, entry in enumerate(STANDARD_CATALOGUE):
            await scope.create(DisclosureCategory, position=position, **entry)
    return len(STANDARD_CATALOGUE)


async def clean(scope: TenantScope, data: dict[str, str], *, except_id: int | None = None) -> dict[str, str]:
    """A catalogue entry from a form, or ValidationFailed naming each bad field."""
    from core import forms
    from core.accounts.roles import TENANT_ROLES
    from core.forms import Form
    from core.i18n import Message

    form = Form(data)
    name = form.field("name", forms.text, max_length=50)
    scope_text = form.field("scope", forms.text, max_length=1000, multiline=True, required=False) or ""
    standard = form.field("standard", forms.text, max_length=1000, multiline=True, required=False) or ""
    frequency = data.get("frequency", "")
    if frequency not in FREQUENCY_LABELS:
        form.error("frequency", Message("Choose one of the list."))
    role = data.get("responsible_role", "")
    if role not in TENANT_ROLES:
        form.error("responsible_role", Message("Choose one of the list."))
    if name:
        taken = scope.exists(DisclosureCategory).where(DisclosureCategory.name == name)
        if except_id is not None:
            taken = taken.where(DisclosureCategory.id != except_id)
        if await taken:
            form.error("name", Message("The catalogue already has a category of this name."))
    form.raise_if_invalid()
    return {"name": name, "scope": scope_text, "standard": standard, "frequency": frequency,
            "responsible_role": role}


async def add(scope: TenantScope, data: dict[str, str], *, actor_id: int) -> DisclosureCategory:
    from core.audit import services as audit

    async with scope.transaction(write=True):
        values = await clean(scope, data)
        position = await scope.count(DisclosureCategory)
        category = await scope.create(DisclosureCategory, position=position, **values)
        await audit.record("disclosure.category_added", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"category:{category.id}", name=values["name"])
    return category


async def change(scope: TenantScope, category_id: int, data: dict[str, str], *, actor_id: int) -> None:
    from core.audit import services as audit
    from core.errors import NotFound

    async with scope.transaction(write=True):
        if await scope.get(DisclosureCategory, category_id, for_update=True) is None:
            raise NotFound()
        values = await clean(scope, data, except_id=category_id)
        await scope.update(DisclosureCategory, {getattr(DisclosureCategory, k): v for k, v in values.items()}).where(
            DisclosureCategory.id == category_id)
        await audit.record("disclosure.category_changed", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"category:{category_id}", name=values["name"])
