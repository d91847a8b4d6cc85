"""Compounds (小区), their buildings and units, and each unit's owners with its registered
exclusive floor area, kept by the district's oversight officers; imported from CSV with a
report of the rows refused."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.sdk import FieldError, Form, Message, NotFound, TenantScope, ValidationFailed, clean_phone, clean_text

from plugins.red_property import votes
from plugins.red_property.handle import plugin
from plugins.red_property.tables import Building, Compound, Owner, Unit

CSV_COLUMNS = ("building", "unit", "area", "owner", "phone", "developer_held")
LARGEST_CSV = 2 * 1024 * 1024
LARGEST_AREA_CM2 = 100_000_00  # 100 000 m²
_AREA = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def area_cm2(value: Any) -> int:
    """An area as people write it (89.57, ８９.５７, 90) in hundredths of a m²; FieldError
    for zero, a negative area or more than two decimals."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().removesuffix("m²").removesuffix("㎡").strip()
    if not text:
        raise FieldError(Message("Give the exclusive floor area in m²."))
    if not _AREA.match(text):
        raise FieldError(Message("An area is a number of m² above zero, with at most two decimals, like 89.57."))
    try:
        hundredths = int(Decimal(text) * 100)
    except InvalidOperation:
        raise FieldError(Message("An area is a number of m² above zero, with at most two decimals, like 89.57."))
    if not 0 < hundredths <= LARGEST_AREA_CM2:
        raise FieldError(Message("An area is a number of m² above zero, with at most two decimals, like 89.57."))
    return hundredths


def m2(hundredths: int) -> str:
    """Hundredths of a m² as people read them: 8957 → 89.57."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# Compounds ----------------------------------------------------------------------------------


async def clean_compound(scope: TenantScope, data: dict[str, str]) -> dict[str, Any]:
    form = Form(data)
    name = form.field("name", clean_text, max_length=100)
    communities = {row["id"] for row in await plugin.communities(scope)}
    community = int(data["community"]) if data.get("community", "").isdigit() else None
    if community not in communities:
        form.error("community", Message("Choose one of the list."))
    values = {"name": name, "community_id": community,
              "address": form.field("address", clean_text, max_length=200, required=False) or "",
              "developer": form.field("developer", clean_text, max_length=100, required=False) or ""}
    form.raise_if_invalid()
    return values


async def add_compound(scope: TenantScope, actor_id: int | None, data: dict[str, str]) -> Compound:
    values = await clean_compound(scope, data)
    async with scope.transaction(write=True):
        compound = await scope.create(Compound, **values)
        await plugin.audit(scope, "compound_added", actor_id=actor_id, target=f"red_property_compound:{compound.id}",
                           name=values["name"])
    return compound


async def compound(scope: TenantScope, compound_id: int) -> Compound:
    found = await scope.get(Compound, compound_id)
    if found is None:
        raise NotFound()
    return found


async def compounds(scope: TenantScope) -> list[Compound]:
    return await scope.objects(Compound).order_by(Compound.id)


async def units_of(scope: TenantScope, compound_id: int) -> list[dict[str, Any]]:
    """The compound's units in building order, each with its owners."""
    buildings = {row["id"]: row["name"] for row in await scope.select(Building, Building.id, Building.name).where(
        Building.compound == compound_id)}
    units = await scope.select(Unit, Unit.id, Unit.building, Unit.number, Unit.area_cm2, Unit.developer_held).where(
        Unit.compound == compound_id).order_by(Unit.building).order_by(Unit.number)
    owners = await scope.select(Owner, Owner.id, Owner.unit, Owner.name, Owner.phone, Owner.position).where(
        Owner.unit.is_in([unit["id"] for unit in units] or [0])).order_by(Owner.position)
    by_unit: dict[int, list[dict]] = {}
    for owner in owners:
        by_unit.setdefault(owner["unit"], []).append(owner)
    return [{**unit, "building_name": buildings.get(unit["building"], ""), "owners": by_unit.get(unit["id"], []),
             "area": m2(unit["area_cm2"])} for unit in units]


async def owner_areas(scope: TenantScope, compound_id: int) -> dict[str, int]:
    """Owner key → summed exclusive area, as article 278 counts them (``votes.owners_of``)."""
    units = await scope.select(Unit, Unit.id, Unit.area_cm2, Unit.developer_held).where(Unit.compound == compound_id)
    owners = await scope.select(Owner, Owner.id, Owner.unit, Owner.name, Owner.phone, Owner.position).where(
        Owner.unit.is_in([unit["id"] for unit in units] or [0]))
    return votes.owners_of(units, owners)


async def keys_of(scope: TenantScope, compound_id: int, person_id: int) -> list[str]:
    """The owner keys a person speaks for in the compound: those of the units they own (by
    their account, or by the mobile number registered for them)."""
    person = (await plugin.people(scope, [person_id])).get(person_id)
    if person is None:
        return []
    mine = await scope.select(Owner, Owner.unit).where(
        (Owner.person_id == person_id) | (Owner.phone == (person["phone"] or "-")))
    unit_ids = {row["unit"] for row in mine}
    if not unit_ids:
        return []
    units = await scope.select(Unit, Unit.id, Unit.developer_held).where(Unit.compound == compound_id,
                                                                         Unit.id.is_in(sorted(unit_ids)))
    firsts = await scope.select(Owner, Owner.id, Owner.unit, Owner.name, Owner.phone, Owner.position).where(
        Owner.unit.is_in([unit["id"] for unit in units] or [0])).order_by(Owner.position).order_by(Owner.id)
    first: dict[int, dict] = {}
    for row in firsts:
        first.setdefault(row["unit"], row)
    return sorted({votes.owner_key(unit["developer_held"], first.get(unit["id"]), unit["id"]) for unit in units})


async def homes_of(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The units a person owns in the district, with their compounds."""
    person = (await plugin.people(scope, [person_id])).get(person_id)
    if person is None:
        return []
    rows = await scope.select(Owner, Owner.unit.id, Owner.unit.number, Owner.unit.area_cm2, Owner.unit.compound,
                              Owner.unit.building.name).where(
        (Owner.person_id == person_id) | (Owner.phone == (person["phone"] or "-")))
    names = {c.id: c.name for c in await compounds(scope)}
    return [{"unit": row["unit.id"], "number": row["unit.number"], "building": row["unit.building.name"],
             "area": m2(row["unit.area_cm2"]), "compound": row["unit.compound"],
             "compound_name": names.get(row["unit.compound"], "")} for row in rows]


# Import -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    added_units: int = 0
    added_owners: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def _row(line: int, row: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    building = (row.get("building") or "").strip()
    number = (row.get("unit") or "").strip()
    if not building or not number or len(building) > 40 or len(number) > 40:
        return None, str(Message("A row needs its building and unit."))
    try:
        area = area_cm2(row.get("area"))
    except FieldError as error:
        return None, str(error.message)
    owner = (row.get("owner") or "").strip()[:64]
    phone = ""
    if row.get("phone", "").strip():
        try:
            phone = clean_phone(row["phone"])
        except FieldError as error:
            return None, str(error.message)
    developer_held = (row.get("developer_held") or "").strip().lower() in ("1", "yes", "true", "是")
    if not owner and not developer_held:
        return None, str(Message("A unit the developer does not hold needs its owner's name."))
    return {"building": building, "number": number, "area": area, "owner": owner, "phone": phone,
            "developer_held": developer_held}, ""


async def import_csv(scope: TenantScope, actor_id: int | None, compound_id: int, content: bytes) -> ImportReport:
    """Units and owners from a CSV (columns ``building, unit, area, owner, phone,
    developer_held``; a unit on several rows has several owners, in order). The rows that
    can be read are kept, all together; each refused row is reported with its line and why.
    A unit already registered keeps its area unless a row gives the same one."""
    await compound(scope, compound_id)
    if len(content) > LARGEST_CSV:
        raise ValidationFailed({"file": Message("The file is larger than 2 MB.")})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": Message("The file is not text in UTF-8 or GB18030.")}) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"building", "unit", "area"} <= {name.strip() for name in reader.fieldnames}:
        raise ValidationFailed({"file": Message("The first line must name the columns: %(columns)s.",
                                                {"columns": ", ".join(CSV_COLUMNS)})})
    report = ImportReport()
    async with scope.transaction(write=True):
        buildings = {row["name"]: row["id"] for row in await scope.select(Building, Building.id, Building.name).where(
            Building.compound == compound_id)}
        units = {(row["building"], row["number"]): row for row in await scope.select(
            Unit, Unit.id, Unit.building, Unit.number, Unit.area_cm2).where(Unit.compound == compound_id)}
        positions: dict[int, int] = {}
        for line, raw in enumerate(reader, start=2):
            row, why = _row(line, {(key or "").strip(): value or "" for key, value in raw.items()})
            if row is None:
                report.rejected.append((line, why))
                continue
            if row["building"] not in buildings:
                buildings[row["building"]] = (await scope.create(Building, compound=compound_id,
                                                                 name=row["building"])).id
            building_id = buildings[row["building"]]
            unit = units.get((building_id, row["number"]))
            if unit is None:
                created = await scope.create(Unit, compound=compound_id, building=building_id, number=row["number"],
                                             area_cm2=row["area"], developer_held=row["developer_held"])
                unit = units[(building_id, row["number"])] = {"id": created.id, "area_cm2": row["area"]}
                report.added_units += 1
            elif unit["area_cm2"] != row["area"]:
                report.rejected.append((line, str(Message("This unit is already registered with %(area)s m².",
                                                          {"area": m2(unit["area_cm2"])}))))
                continue
            if row["owner"]:
                if unit["id"] not in positions:
                    positions[unit["id"]] = await scope.count(Owner).where(Owner.unit == unit["id"])
                person_id = await plugin.member_by_phone(scope, row["phone"]) if row["phone"] else None
                await scope.create(Owner, unit=unit["id"], name=row["owner"], phone=row["phone"], person_id=person_id,
                                   position=positions[unit["id"]])
                positions[unit["id"]] += 1
                report.added_owners += 1
        await plugin.audit(scope, "units_imported", actor_id=actor_id, target=f"red_property_compound:{compound_id}",
                           units=report.added_units, owners=report.added_owners, rejected=len(report.rejected))
    return report
