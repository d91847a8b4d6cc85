"""Community helpers (心理援助员): grid workers and mediators trained to spot risk, with their
training records. A helper refers a resident who agreed to it and never sees a score."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.sdk import CHINA, Form, Message, N_, NotFound, TenantScope, clean_phone, clean_text, now, whole_number

from plugins.mental_health import network
from plugins.mental_health.handle import plugin
from plugins.mental_health.tables import HELPER_KINDS, Helper, Referral, Training

HELPER = "mental_health.helper"
LONGEST_SUMMARY = 1000
AGREED = N_("The resident agreed to this referral and to sharing this summary")


async def _member(scope: TenantScope, form: Form, name: str) -> int | None:
    phone = form.field(name, clean_phone)
    if not phone:
        return None
    person_id = await plugin.member_by_phone(scope, phone)
    if person_id is None:
        form.error(name, Message("Nobody in this district has this mobile number."))
    return person_id


async def register(scope: TenantScope, actor_id: int, data: dict[str, str]) -> Helper:
    """Register a district member as a helper, or make their record active again."""
    form = Form(data)
    person_id = await _member(scope, form, "phone")
    kind = data.get("kind", "")
    if kind not in HELPER_KINDS:
        form.error("kind", Message("Choose one of the kinds."))
    organization = form.field("organization", clean_text, max_length=120, required=False)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        found = await scope.objects(Helper).where(Helper.person_id == person_id).first()
        if found:
            await scope.update(Helper, {Helper.kind: kind, Helper.organization: organization or "",
                                        Helper.active: True}).where(Helper.id == found.id)
            row = found
        else:
            row = await scope.create(Helper, person_id=person_id, kind=kind, organization=organization or "",
                                     registered_at=now(), registered_by=actor_id, active=True)
    await plugin.audit(scope, "helper.registered", actor_id=actor_id, target=f"person:{person_id}")
    return row


async def helpers(scope: TenantScope) -> list[dict[str, Any]]:
    """Every helper of the district, with name, mobile number and trainings."""
    rows = await scope.select(Helper).order_by(Helper.id)
    people = await plugin.people(scope, [row["person_id"] for row in rows])
    trainings = await scope.select(Training).order_by(Training.completed_on)
    return [{**row, "person": people.get(row["person_id"], {}),
             "trainings": [t for t in trainings if t["helper"] == row["id"]]} for row in rows]


async def add_training(scope: TenantScope, actor_id: int, helper_id: int, data: dict[str, str]) -> Training:
    """A course the helper completed; the date cannot be in the future (China time)."""
    form = Form(data)
    course = form.field("course", clean_text, max_length=120)
    provider = form.field("provider", clean_text, max_length=120, required=False)
    day_text = form.field("completed_on", clean_text, max_length=10)
    completed = None
    if day_text:
        try:
            completed = date.fromisoformat(day_text)
        except ValueError:
            form.error("completed_on", Message("Enter a date such as 2026-12-01."))
        if completed and completed > now().astimezone(CHINA).date():
            form.error("completed_on", Message("The date cannot be in the future."))
    hours = form.field("hours", whole_number, low=1, high=1000)
    if hours is None and "hours" not in form.errors:
        form.error("hours", Message("Enter the number of hours."))
    certificate = form.field("certificate", clean_text, max_length=64, required=False)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        helper = await scope.objects(Helper).where(Helper.id == helper_id).first()
        if helper is None:
            raise NotFound()
        row = await scope.create(Training, helper=helper_id, course=course, provider=provider or "",
                                 completed_on=completed, hours=hours, certificate=certificate or "")
    await plugin.audit(scope, "helper.training_added", actor_id=actor_id, target=f"helper:{helper_id}")
    return row


async def deactivate(scope: TenantScope, actor_id: int, helper_id: int) -> None:
    """The helper no longer refers anyone."""
    async with scope.transaction(write=True):
        if await scope.get(Helper, helper_id) is None:
            raise NotFound()
        await scope.update(Helper, {Helper.active: False}).where(Helper.id == helper_id)
    await plugin.audit(scope, "helper.deactivated", actor_id=actor_id, target=f"helper:{helper_id}")


async def is_active(scope: TenantScope, person_id: int) -> bool:
    """Whether the person has an active helper record."""
    row = await scope.select(Helper, Helper.id).where(Helper.person_id == person_id).where(
        Helper.active.eq(True)).first()
    return row is not None


async def refer(scope: TenantScope, helper_id: int, data: dict[str, str]) -> Referral:
    """One non-urgent referral to the community station, with the resident's agreement."""
    form = Form(data)
    person_id = await _member(scope, form, "phone")
    summary = form.field("summary", clean_text, max_length=LONGEST_SUMMARY, multiline=True)
    if data.get("resident_agreed") != "1":
        form.error("resident_agreed", Message("Tick this only when the resident agreed."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        row = await network.create_referral(scope, person_id, level="community_station", source="helper",
                                            referred_by=helper_id, summary=summary)
    await plugin.audit(scope, "referral.by_helper", actor_id=helper_id, target=f"referral:{row.id}")
    return row


async def referred(scope: TenantScope, helper_id: int) -> list[dict[str, Any]]:
    """What this helper referred: when and its state, nothing more."""
    return await scope.select(Referral, Referral.id, Referral.created_at, Referral.state, Referral.level).where(
        Referral.referred_by == helper_id).where(Referral.source == "helper").order_by(Referral.id, ascending=False)
