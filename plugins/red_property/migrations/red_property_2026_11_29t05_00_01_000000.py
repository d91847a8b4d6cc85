"""One rating per firm and month, and a person on duty once per firm."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T05:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one rating per firm and month, one duty row per firm and person"


class RawSql(Table, tablename="red_property_rating"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="red_property", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX red_property_rating_once ON red_property_rating (tenant_id, firm, period)",
            "CREATE UNIQUE INDEX red_property_on_duty_once ON red_property_on_duty (tenant_id, firm, person_id)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
