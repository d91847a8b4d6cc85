"""A grid worker (or community staff) enters an item for a resident who does not use the
app: the resident is found by their mobile number, or given an account without a password
(they can sign in later with a code sent to that number), joins the item's grid or
community as a resident, and is told of every change like anyone else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core import forms
from core.accounts import services as accounts
from core.accounts.roles import RESIDENT
from core.config import Settings
from core.errors import Conflict, ValidationFailed
from core.feedback import services
from core.feedback.tables import FeedbackItem
from core.forms import Form
from core.i18n import Message
from core.tenancy import TenantScope


@dataclass(frozen=True)
class Resident:
    display_name: str
    phone: str


def clean_resident(data: Mapping[str, Any]) -> Resident:
    form = Form(data)
    name = form.field("resident_name", accounts.clean_display_name)
    phone = form.field("resident_phone", forms.phone)
    if data.get("resident_agreed") not in ("1", True, "true", "on"):
        form.error("resident_agreed", Message("Record that the resident agreed before entering it for them."))
    form.raise_if_invalid()
    return Resident(name, phone)


async def enter_for_resident(settings: Settings, scope: TenantScope, slug: str, worker_id: int,
                             data: Mapping[str, Any]) -> tuple[FeedbackItem, bool]:
    """Register the item for the resident the form names. Everything is checked before
    anything is written; the place defaults to the worker's own grid or community."""
    errors: dict[str, Message] = {}
    resident = submission = None
    try:
        resident = clean_resident(data)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        submission = await services.clean(scope, data, person_id=worker_id)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    assert resident is not None and submission is not None
    identifier = accounts.Identifier("phone", resident.phone)
    person = await accounts.find_person(identifier)
    if person is None:
        try:
            person = await accounts.create_person(resident.display_name, identifier, password=None)
        except Conflict:  # the same form sent twice at once: the other made the account
            person = await accounts.find_person(identifier)
    unit = ("grid", submission.grid_id) if submission.grid_id is not None else ("community", submission.community_id)
    if unit[1] is not None:
        await accounts.add_membership(scope, person.id, [RESIDENT], *unit)
    return await services.submit(settings, scope, slug, person.id, submission,
                                 idempotency_key=str(data.get("idempotency_key") or ""), entered_by=worker_id,
                                 resident_agreed=True)
