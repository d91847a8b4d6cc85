"""Compounds, units and owners, their CSV import, and firms."""

from __future__ import annotations

import pytest

from core.sdk import FieldError, ValidationFailed
from plugins.red_property import estates, firms
from plugins.red_property.tables import Compound, Owner, Unit
from tests.plugins.red_property.conftest import CODE


async def test_the_import_registers_units_co_owners_and_the_developers_units(district, compound):
    units = await estates.units_of(district, compound.id)
    assert len(units) == 7 and await district.count(Owner) == 6
    first = next(unit for unit in units if unit["number"] == "1-101")
    assert first["area"] == "89.57" and [o["name"] for o in first["owners"]] == ["王芳", "李强"]
    assert sum(1 for unit in units if unit["developer_held"]) == 2
    # Article 278's owners: 王芳 once with two flats, the developer once, a unit's co-owner not at all.
    assert await estates.owner_areas(district, compound.id) == {
        "phone:13800000201": 8957 + 12043, "phone:13800000203": 9000, "phone:13800000204": 10000,
        "phone:13800000205": 10000, "developer": 20000}


async def test_bad_rows_are_reported_and_the_good_ones_kept(district, compound, manager):
    content = ("building,unit,area,owner,phone,developer_held\n"
               "3号楼,3-101,0,赵六,13800000206,0\n"  # area zero
               "3号楼,3-102,-12,赵六,13800000206,0\n"  # negative
               "3号楼,3-103,80.123,赵六,13800000206,0\n"  # three decimals
               "3号楼,3-104,80,,13800000206,0\n"  # no owner
               "3号楼,3-105,80,赵六,12345,0\n"  # a bad mobile number
               ",3-106,80,赵六,13800000206,0\n"  # no building
               "1号楼,1-201,95,张伟,13800000203,0\n"  # registered already with 90 m²
               "3号楼,3-107,８０.５,赵六,13800000206,0\n")  # full-width digits: kept
    report = await estates.import_csv(district, manager.id, compound.id, content.encode())
    assert [line for line, _why in report.rejected] == [2, 3, 4, 5, 6, 7, 8]
    assert report.added_units == 1 and report.added_owners == 1
    assert "90.00" in report.rejected[-1][1]
    added = await district.objects(Unit).where(Unit.number == "3-107").first()
    assert added.area_cm2 == 8050


async def test_a_file_that_is_not_a_units_csv_is_refused_and_nothing_written(district, compound, manager):
    before = await district.count(Unit)
    with pytest.raises(ValidationFailed) as bad:
        await estates.import_csv(district, manager.id, compound.id, b"name,age\nx,1\n")
    assert set(bad.value.errors) == {"file"}
    with pytest.raises(ValidationFailed):
        await estates.import_csv(district, manager.id, compound.id, b"\xff\xfe\x00bad")
    assert await district.count(Unit) == before


async def test_a_gb18030_file_from_a_spreadsheet_is_read(district, compound, manager):
    content = "building,unit,area,owner,phone\n5号楼,5-101,66.6,孙丽,13800000207\n".encode("gb18030")
    report = await estates.import_csv(district, manager.id, compound.id, content)
    assert (report.added_units, report.rejected) == (1, [])


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.234", "", "1000001"])
def test_an_area_must_be_above_zero_with_two_decimals_at_most(value):
    with pytest.raises(FieldError):
        estates.area_cm2(value)


def test_areas_are_exact_hundredths():
    assert estates.area_cm2("89.57") == 8957 and estates.area_cm2("８９．５") == 8950
    assert estates.m2(8957) == "89.57" and estates.m2(9000) == "90.00"


async def test_a_firm_needs_a_valid_unified_social_credit_code(district, compound, manager):
    with pytest.raises(ValidationFailed) as bad:
        await firms.add(district, manager.id, {"firm_name": "红星物业", "credit_code": CODE[:-1] + "0"})
    assert set(bad.value.errors) == {"credit_code"}
    firm = await firms.add(district, manager.id, {"firm_name": "红星物业", "credit_code": CODE.lower(),
                                                  "party_organisation": "1"})
    assert firm.credit_code == CODE and firm.party_organisation
    with pytest.raises(ValidationFailed):
        await firms.add(district, manager.id, {"firm_name": "又一家", "credit_code": CODE})
    await firms.serve(district, manager.id, compound.id, firm.id)
    assert (await district.get(Compound, compound.id)).firm == firm.id
