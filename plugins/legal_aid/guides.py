"""A guide per kind of matter: the steps, the materials needed, the time limits and where to
go. The built-in guide (``texts.GUIDES``) until the district edits its own."""

from __future__ import annotations

from typing import Any

from core.sdk import Form, Message, NotFound, TenantScope, clean_text, now

from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Guide
from plugins.legal_aid.texts import MATTERS, default_guide


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


async def guide(scope: TenantScope, matter: str, language: str) -> dict[str, Any]:
    """The district's guide to ``matter`` (steps and materials as lists), and whether it is
    the district's own."""
    if matter not in MATTERS:
        raise NotFound()
    row = await scope.objects(Guide).where(Guide.matter == matter).first()
    found = ({"title": row.title, "steps": row.steps, "materials": row.materials, "time_limits": row.time_limits,
              "where_to_go": row.where_to_go} if row is not None else default_guide(matter, language))
    return {**found, "matter": matter, "steps": lines(found["steps"]), "materials": lines(found["materials"]),
            "own": row is not None, "text": found}


def clean(data: dict[str, str]) -> dict[str, str]:
    form = Form(data)
    values = {"title": form.field("title", clean_text, max_length=100),
              "steps": form.field("steps", clean_text, max_length=4000, multiline=True),
              "materials": form.field("materials", clean_text, max_length=2000, multiline=True),
              "time_limits": form.field("time_limits", clean_text, max_length=2000, multiline=True,
                                        required=False) or "",
              "where_to_go": form.field("where_to_go", clean_text, max_length=1000, multiline=True,
                                        required=False) or ""}
    if values["materials"] and len(lines(values["materials"])) > 30:
        form.error("materials", Message("List at most 30 materials, one per line."))
    form.raise_if_invalid()
    return values


async def edit(scope: TenantScope, actor_id: int, matter: str, data: dict[str, str]) -> None:
    """The district's own guide to ``matter``; audited."""
    if matter not in MATTERS:
        raise NotFound()
    values = clean(data)
    async with scope.transaction(write=True):
        row = await scope.objects(Guide).where(Guide.matter == matter).first()
        if row is None:
            await scope.create(Guide, matter=matter, updated_by=actor_id, updated_at=now(), **values)
        else:
            await scope.update(Guide, {**{getattr(Guide, k): v for k, v in values.items()},
                                       Guide.updated_by: actor_id, Guide.updated_at: now()}).where(Guide.id == row.id)
        await plugin.audit(scope, "guide_edited", actor_id=actor_id, target=f"legal_aid_guide:{matter}")
