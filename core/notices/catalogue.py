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
