"""The people who give legal help and where they work: law offices (the responsible party a
consultation goes to) and the advisers and lawyers of the district, with their practice
areas, licence numbers and the communities they serve. Kept by the district's admins; the
roles themselves (``legal_aid.adviser``, ``legal_aid.lawyer``) are given by invitation."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from core.sdk import FieldError, Form, Message, NotFound, TenantScope, clean_phone, clean_text

from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Adviser, Office
from plugins.legal_aid.texts import ADVISER_KINDS, MATTERS, OFFICE_KINDS

ADVISER = "legal_aid.adviser"
LAWYER = "legal_aid.lawyer"
DISTRICT_ADMIN = "district_admin"
MANAGERS = frozenset({DISTRICT_ADMIN})
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{3,18}[0-9]$")
_LICENCE = re.compile(r"^[0-9A-Za-z\-]{6,40}$")


def ids(text: str) -> list[int]:
    """A comma-separated list of ids, as the tables keep communities served."""
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()]


def _phone(value: Any, **_options: Any) -> str:
    text = unicodedata.normalize("NFKC", clean_text(value, max_length=40, required=False) or "")
    if text and not _PHONE.match(text):
        raise FieldError(Message("Enter a phone number like 029-33210000 or 13800000000."))
    return text


def _licence(value: Any, **_options: Any) -> str:
    text = unicodedata.normalize("NFKC", clean_text(value, max_length=40, required=False) or "")
    if text and not _LICENCE.match(text):
        raise FieldError(Message("A licence number has 6 to 40 letters, digits or dashes."))
    return text


async def _communities(scope: TenantScope, data: dict[str, str]) -> str:
    """The communities ticked (``community_<id>``), those of the district only."""
    known = {row["id"] for row in await plugin.communities(scope)}
    chosen = sorted({int(key.removeprefix("community_")) for key in data
                     if key.startswith("community_") and key.removeprefix("community_").isdigit()} & known)
    return ",".join(str(number) for number in chosen)


# Offices ------------------------------------------------------------------------------------


async def clean_office(scope: TenantScope, data: dict[str, str]) -> dict[str, Any]:
    form = Form(data)
    kind = data.get("kind", "")
    if kind not in OFFICE_KINDS:
        form.error("kind", Message("Choose one of the list."))
    values = {"name": form.field("name", clean_text, max_length=100), "kind": kind,
              "licence_number": form.field("licence_number", _licence) or "",
              "phone": form.field("phone", _phone) or "",
              "address": form.field("address", clean_text, max_length=200, required=False) or "",
              "communities": await _communities(scope, data)}
    form.raise_if_invalid()
    return values


async def add_office(scope: TenantScope, actor_id: int, data: dict[str, str]) -> Office:
    values = await clean_office(scope, data)
    async with scope.transaction(write=True):
        office = await scope.create(Office, **values)
        await plugin.audit(scope, "office_added", actor_id=actor_id, target=f"legal_aid_office:{office.id}",
                           name=values["name"])
    return office


async def offices(scope: TenantScope) -> list[Office]:
    return await scope.objects(Office).where(Office.active == True).order_by(Office.id)  # noqa: E712


async def office_for(scope: TenantScope, community_id: int | None) -> int | None:
    """The office serving the community (the first one made), or the district's first."""
    found = await offices(scope)
    for office in found:
        if community_id is not None and community_id in ids(office.communities):
            return office.id
    return found[0].id if found else None


# Advisers and lawyers -----------------------------------------------------------------------


async def clean_adviser(scope: TenantScope, data: dict[str, str]) -> dict[str, Any]:
    form = Form(data)
    phone = form.field("phone", clean_phone)
    person_id = await plugin.member_by_phone(scope, phone) if phone else None
    if phone and person_id is None:
        form.error("phone", Message("Nobody in the district has this mobile number."))
    kind = data.get("kind", "")
    if kind not in ADVISER_KINDS:
        form.error("kind", Message("Choose one of the list."))
    office_id = None
    if data.get("office", "").isdigit():
        office_id = int(data["office"])
        if await scope.get(Office, office_id) is None:
            form.error("office", Message("Choose one of the list."))
    elif data.get("office"):
        form.error("office", Message("Choose one of the list."))
    licence = form.field("licence_number", _licence) or ""
    if kind == "lawyer" and not licence and "licence_number" not in form.errors:
        form.error("licence_number", Message("A lawyer's licence number is needed."))
    areas = [key for key in MATTERS if data.get(f"area_{key}")]
    if not areas:
        form.error("areas", Message("Choose at least one practice area."))
    form.raise_if_invalid()
    return {"person_id": person_id, "kind": kind, "office": office_id, "licence_number": licence,
            "practice_areas": ",".join(areas), "communities": await _communities(scope, data)}


async def add_adviser(scope: TenantScope, actor_id: int, data: dict[str, str]) -> Adviser:
    """Record an adviser or lawyer (a member of the district, found by mobile number); a
    person already recorded is updated, never recorded twice."""
    values = await clean_adviser(scope, data)
    async with scope.transaction(write=True):
        standing = await scope.objects(Adviser).where(Adviser.person_id == values["person_id"]).first()
        if standing is not None:
            await scope.update(Adviser, {getattr(Adviser, key): value for key, value in values.items()}
                               | {Adviser.active: True}).where(Adviser.id == standing.id)
            adviser = await scope.get(Adviser, standing.id)
        else:
            adviser = await scope.create(Adviser, **values)
        await plugin.audit(scope, "adviser_recorded", actor_id=actor_id, target=f"legal_aid_adviser:{adviser.id}",
                           person_id=values["person_id"], kind=values["kind"])
    return adviser


async def advisers(scope: TenantScope, *, kind: str | None = None) -> list[dict[str, Any]]:
    """The active advisers and lawyers, with their names and offices."""
    query = scope.objects(Adviser).where(Adviser.active == True)  # noqa: E712
    if kind is not None:
        query = query.where(Adviser.kind == kind)
    rows = await query.order_by(Adviser.id)
    names = await plugin.people(scope, [row.person_id for row in rows])
    offices_by_id = {office.id: office.name for office in await offices(scope)}
    return [{"id": row.id, "person_id": row.person_id, "kind": row.kind,
             "name": names.get(row.person_id, {}).get("display_name", ""),
             "office": offices_by_id.get(row.office, ""), "licence_number": row.licence_number,
             "areas": [area for area in row.practice_areas.split(",") if area],
             "communities": ids(row.communities)} for row in rows]


async def adviser_of(scope: TenantScope, person_id: int) -> Adviser | None:
    return await scope.objects(Adviser).where(Adviser.person_id == person_id,
                                              Adviser.active == True).first()  # noqa: E712


async def remove_adviser(scope: TenantScope, actor_id: int, adviser_id: int) -> None:
    async with scope.transaction(write=True):
        if await scope.get(Adviser, adviser_id) is None:
            raise NotFound()
        await scope.update(Adviser, {Adviser.active: False}).where(Adviser.id == adviser_id)
        await plugin.audit(scope, "adviser_removed", actor_id=actor_id, target=f"legal_aid_adviser:{adviser_id}")
