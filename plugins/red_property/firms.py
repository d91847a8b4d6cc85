"""Property firms: the responsible party (``red_property_firm``) for the compounds they serve.
Their staff hold ``red_property.firm_staff`` in the firm's unit; those on duty are told of
emergencies first."""

from __future__ import annotations

import unicodedata
from typing import Any

from core.sdk import FieldError, Form, Message, NotFound, TenantScope, clean_text, now

from plugins.red_property.handle import plugin
from plugins.red_property.tables import Compound, Firm, OnDuty

# GB 32100-2015: the unified social credit code's characters and its check-digit weights.
CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FIRM_STAFF = "red_property.firm_staff"
FIRM = "red_property_firm"


def check_character(first17: str) -> str:
    total = sum(CODE_CHARACTERS.index(char) * weight for char, weight in zip(first17, CODE_WEIGHTS))
    return CODE_CHARACTERS[(31 - total % 31) % 31]


def credit_code(value: Any, **_options: Any) -> str:
    """A unified social credit code (统一社会信用代码): 18 characters whose last checks the rest."""
    code = unicodedata.normalize("NFKC", clean_text(value, max_length=30) or "").replace(" ", "").upper()
    if len(code) != 18 or any(char not in CODE_CHARACTERS for char in code) or check_character(code[:17]) != code[17]:
        raise FieldError(Message("This is not a unified social credit code: 18 characters, the last one checking "
                                 "the others."))
    return code


async def clean(scope: TenantScope, data: dict[str, str]) -> dict[str, Any]:
    form = Form(data)
    values = {"name": form.field("firm_name", clean_text, max_length=100),
              "credit_code": form.field("credit_code", credit_code),
              "contact": form.field("contact", clean_text, max_length=64, required=False) or "",
              "phone": form.field("phone", clean_text, max_length=40, required=False) or "",
              "party_organisation": data.get("party_organisation") in ("1", "on", "true")}
    if values["credit_code"] and await scope.exists(Firm).where(Firm.credit_code == values["credit_code"]):
        form.error("credit_code", Message("A firm with this code is already registered."))
    form.raise_if_invalid()
    return values


async def add(scope: TenantScope, actor_id: int | None, data: dict[str, str]) -> Firm:
    values = await clean(scope, data)
    async with scope.transaction(write=True):
        firm = await scope.create(Firm, **values)
        await plugin.audit(scope, "firm_added", actor_id=actor_id, target=f"red_property_firm:{firm.id}",
                           name=values["name"])
    return firm


async def firms(scope: TenantScope) -> list[Firm]:
    return await scope.objects(Firm).where(Firm.active == True).order_by(Firm.id)  # noqa: E712


async def serve(scope: TenantScope, actor_id: int | None, compound_id: int, firm_id: int | None) -> None:
    """The firm (None: none) that serves the compound from now on; audited."""
    async with scope.transaction(write=True):
        if await scope.get(Compound, compound_id, for_update=True) is None:
            raise NotFound()
        if firm_id is not None and await scope.get(Firm, firm_id) is None:
            raise NotFound()
        await scope.update(Compound, {Compound.firm: firm_id}).where(Compound.id == compound_id)
        await plugin.audit(scope, "firm_serves", actor_id=actor_id, target=f"red_property_compound:{compound_id}",
                           firm_id=firm_id)


async def served_by(scope: TenantScope, firm_id: int) -> list[Compound]:
    return await scope.objects(Compound).where(Compound.firm == firm_id).order_by(Compound.id)


async def on_duty(scope: TenantScope, firm_id: int) -> list[int]:
    """Who of the firm's staff is on duty for emergencies now."""
    staff = set(await plugin.unit_members(scope, FIRM, firm_id, [FIRM_STAFF]))
    rows = await scope.select(OnDuty, OnDuty.person_id).where(OnDuty.firm == firm_id)
    return sorted(row["person_id"] for row in rows if row["person_id"] in staff)


async def set_on_duty(scope: TenantScope, firm_id: int, person_id: int, on: bool) -> None:
    """A member of the firm's staff goes on duty or off it (twice on is once)."""
    async with scope.transaction(write=True):
        await scope.delete(OnDuty).where(OnDuty.firm == firm_id, OnDuty.person_id == person_id)
        if on:
            await scope.create(OnDuty, firm=firm_id, person_id=person_id, since=now())
        await plugin.audit(scope, "on_duty" if on else "off_duty", actor_id=person_id,
                           target=f"red_property_firm:{firm_id}")
