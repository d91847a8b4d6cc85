"""A district's feedback categories, made from the registry."""

from __future__ import annotations

import secrets
from typing import Any, Mapping

from core import forms
from core.errors import NotFound
from core.feedback import registry
from core.forms import Form
from core.i18n import Message
from core.feedback.tables import FeedbackCategory
from core.tenancy import TenantScope


async def ensure_registered(scope: TenantScope, *, plugin: str | None = None) -> int:
    """Give the district a copy of every registered category of core (or of ``plugin``) it
    lacks; returns how many."""
    added = 0
    async with scope.transaction(write=True):
        have = {row["key"] for row in await scope.select(FeedbackCategory, FeedbackCategory.key)}
        position = len(have)
        for spec in registry.CATEGORIES.values():
            if spec.plugin == plugin and spec.key not in have:
                await scope.create(FeedbackCategory, key=spec.key, name=spec.name, accept_hours=spec.accept_hours,
                                   resolve_hours=spec.resolve_hours, default_party=spec.default_party,
                                   private=spec.private, position=position)
                position += 1
                added += 1
    return added


async def _offered(scope: TenantScope, rows: list[FeedbackCategory]) -> list[FeedbackCategory]:
    """Leave out the categories of plugins the district has not enabled (their items stay)."""
    from core.plugins import enablement

    plugins = await enablement.enabled_in(scope.tenant_id)
    owner = {key: spec.plugin for key, spec in registry.CATEGORIES.items() if spec.plugin}
    return [row for row in rows if row.key not in owner or owner[row.key] in plugins]


async def enabled(scope: TenantScope) -> list[FeedbackCategory]:
    return await _offered(scope, await scope.objects(FeedbackCategory).where(
        FeedbackCategory.enabled == True).order_by(FeedbackCategory.position))  # noqa: E712


# Where a district may send a category's items first: a unit the item's place belongs to.
DEFAULT_PARTIES = ("grid", "community", "street", "supervision")
HOURS_MAX = 24 * 90


def _hours(value: Any, *, low: int) -> int:
    text = "" if value is None else str(value).strip()
    if not text:
        raise forms.FieldError(Message("This field is required."))
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= HOURS_MAX:
        raise forms.FieldError(Message("Enter whole hours from %(low)s to %(high)s.", {"low": low, "high": HOURS_MAX}))
    return int(text)


async def clean(scope: TenantScope, data: Mapping[str, Any], *, except_id: int | None = None) -> dict[str, Any]:
    """A category's settings from the console form, or ValidationFailed naming each bad field."""
    form = Form(data)
    name = form.field("name", forms.text, max_length=50)
    accept_hours = form.field("accept_hours", _hours, low=1)
    resolve_hours = form.field("resolve_hours", _hours, low=1)
    if accept_hours and resolve_hours and resolve_hours < accept_hours:
        form.error("resolve_hours", Message("Resolving cannot be due before accepting."))
    party = data.get("default_party", "")
    if party not in DEFAULT_PARTIES:
        form.error("default_party", Message("Choose one of the list."))
    if name:
        taken = scope.exists(FeedbackCategory).where(FeedbackCategory.name == name)
        if except_id is not None:
            taken = taken.where(FeedbackCategory.id != except_id)
        if await taken:
            form.error("name", Message("There is already a category of this name."))
    form.raise_if_invalid()
    return {"name": name, "accept_hours": accept_hours, "resolve_hours": resolve_hours, "default_party": party,
            "enabled": data.get("enabled") in ("1", True, "true", "on")}


async def every(scope: TenantScope) -> list[FeedbackCategory]:
    return await scope.objects(FeedbackCategory).order_by(FeedbackCategory.position, FeedbackCategory.id)


async def add(scope: TenantScope, data: Mapping[str, Any], *, actor_id: int) -> FeedbackCategory:
    """A district's own category. Whether it is private is chosen here, once: its items'
    text is sealed or not from the first one on."""
    from core.audit import services as audit

    async with scope.transaction(write=True):
        values = await clean(scope, {**data, "enabled": "1"})
        private = data.get("private") in ("1", True, "true", "on")
        category = await scope.create(FeedbackCategory, key=f"own_{secrets.token_hex(4)}", private=private,
                                      position=await scope.count(FeedbackCategory), **values)
        await audit.record("feedback.category_added", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"feedback_category:{category.id}", name=values["name"])
    return category


async def change(scope: TenantScope, category_id: int, data: Mapping[str, Any], *, actor_id: int) -> None:
    """New name, deadlines, first party or enabled; items already raised keep their deadlines."""
    from core.audit import services as audit

    async with scope.transaction(write=True):
        if await scope.get(FeedbackCategory, category_id, for_update=True) is None:
            raise NotFound()
        values = await clean(scope, data, except_id=category_id)
        await scope.update(FeedbackCategory, {getattr(FeedbackCategory, k): v for k, v in values.items()}).where(
            FeedbackCategory.id == category_id)
        await audit.record("feedback.category_changed", actor_id=actor_id, tenant_id=scope.tenant_id,
                           target=f"feedback_category:{category_id}", name=values["name"])
