"""A district's feedback categories, made from the registry."""

from __future__ import annotations

from core.feedback import registry
from core.feedback.tables import FeedbackCategory
from core.tenancy import TenantScope


async def ensure_registered(scope: TenantScope) -> int:
    """Give the district a copy of every registered core category it lacks; returns how many."""
    added = 0
    async with scope.transaction(write=True):
        have = {row["key"] for row in await scope.select(FeedbackCategory, FeedbackCategory.key)}
        position = len(have)
        for spec in registry.CATEGORIES.values():
            if spec.plugin is None and spec.key not in have:
                await scope.create(FeedbackCategory, key=spec.key, name=spec.name, accept_hours=spec.accept_hours,
                                   resolve_hours=spec.resolve_hours, default_party=spec.default_party,
                                   private=spec.private, position=position)
                position += 1
                added += 1
    return added


async def enabled(scope: TenantScope) -> list[FeedbackCategory]:
    return await scope.objects(FeedbackCategory).where(FeedbackCategory.enabled == True).order_by(  # noqa: E712
        FeedbackCategory.position)
