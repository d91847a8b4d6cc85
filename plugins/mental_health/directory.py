"""The referral network's directory: the service points at each of the four levels, with how
to reach them and when (the fields after Open Referral's HSDS: a service at a location, its
organisation, contacts and hours). Kept by supervisors and district admins; read by everyone
signed in, who sees where to go at each level."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from core.sdk import FieldError, Form, Message, NotFound, TenantScope, clean_text, now

from plugins.mental_health.handle import plugin
from plugins.mental_health.tables import LEVEL_ORDER, LEVELS, ServicePoint

_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{3,18}[0-9]$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _phone(value: Any, **_options: Any) -> str:
    """A phone number as people write one: a mobile, a landline with its area code (029-…),
    a hotline; digits, spaces, dashes and a leading +."""
    text = unicodedata.normalize("NFKC", clean_text(value, max_length=40, required=False) or "")
    if text and not _PHONE.match(text):
        raise FieldError(Message("Enter a phone number like 029-33210000 or 13800000000."))
    return text


def _url(value: Any, **_options: Any) -> str:
    text = clean_text(value, max_length=200, required=False) or ""
    if text and not _URL.match(text):
        raise FieldError(Message("Enter a web address starting with http:// or https://."))
    return text


def clean(data: dict[str, str]) -> dict[str, Any]:
    """A service point's fields from a form; ValidationFailed names each field it refuses."""
    form = Form(data)
    level = data.get("level", "")
    if level not in LEVELS:
        form.error("level", Message("Choose one of the four levels."))
    values = {
        "level": level,
        "name": form.field("name", clean_text, max_length=120),
        "organization": form.field("organization", clean_text, max_length=120, required=False) or "",
        "description": form.field("description", clean_text, max_length=2000, required=False, multiline=True) or "",
        "address": form.field("address", clean_text, max_length=200, required=False) or "",
        "phone": form.field("phone", _phone) or "",
        "email": form.field("email", clean_text, max_length=120, required=False) or "",
        "url": form.field("url", _url) or "",
        "hours": form.field("hours", clean_text, max_length=200, required=False) or "",
        "languages": form.field("languages", clean_text, max_length=80, required=False) or "",
    }
    if values["email"] and "@" not in values["email"]:
        form.error("email", Message("Enter an email address like name@example.com."))
    form.raise_if_invalid()
    return values


async def add(scope: TenantScope, actor_id: int, data: dict[str, str]) -> ServicePoint:
    values = clean(data)
    async with scope.transaction(write=True):
        row = await scope.create(ServicePoint, **values, active=True, updated_at=now())
    await plugin.audit(scope, "service_point.added", actor_id=actor_id, target=f"service_point:{row.id}")
    return row


async def change(scope: TenantScope, actor_id: int, point_id: int, data: dict[str, str]) -> None:
    values = clean(data)
    async with scope.transaction(write=True):
        if await scope.get(ServicePoint, point_id) is None:
            raise NotFound()
        await scope.update(ServicePoint, {**{getattr(ServicePoint, key): value for key, value in values.items()},
                                          ServicePoint.updated_at: now()}).where(ServicePoint.id == point_id)
    await plugin.audit(scope, "service_point.changed", actor_id=actor_id, target=f"service_point:{point_id}")


async def set_active(scope: TenantScope, actor_id: int, point_id: int, active: bool) -> None:
    async with scope.transaction(write=True):
        if await scope.get(ServicePoint, point_id) is None:
            raise NotFound()
        await scope.update(ServicePoint, {ServicePoint.active: active, ServicePoint.updated_at: now()}).where(
            ServicePoint.id == point_id)
    await plugin.audit(scope, "service_point.activated" if active else "service_point.deactivated",
                       actor_id=actor_id, target=f"service_point:{point_id}")


async def point(scope: TenantScope, point_id: int) -> dict[str, Any]:
    row = await scope.select(ServicePoint).where(ServicePoint.id == point_id).first()
    if row is None:
        raise NotFound()
    return row


async def by_level(scope: TenantScope, *, active_only: bool = True) -> list[tuple[str, list[dict[str, Any]]]]:
    """The points of each level, from the community up, in name order."""
    query = scope.select(ServicePoint).order_by(ServicePoint.name)
    if active_only:
        query = query.where(ServicePoint.active.eq(True))
    rows = await query
    return [(level, [row for row in rows if row["level"] == level]) for level in LEVEL_ORDER]
