"""What the new tables cannot say themselves: one ballot per owner and vote, a unit
registered once in its building, and a firm registered once in a district.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T01:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one ballot per owner and vote, one unit per number and building, one firm per code"


class RawSql(Table, tablename="red_property_ballot"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="red_property", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX red_property_ballot_once ON red_property_ballot (tenant_id, vote, owner_key)",
            "CREATE UNIQUE INDEX red_property_unit_once ON red_property_unit (tenant_id, building, number)",
            "CREATE UNIQUE INDEX red_property_firm_code ON red_property_firm (tenant_id, credit_code)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
