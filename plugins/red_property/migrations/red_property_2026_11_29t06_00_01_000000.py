"""One evaluation per owner and decision."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T06:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one evaluation per owner and decision"


class RawSql(Table, tablename="red_property_evaluation"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="red_property", description=DESCRIPTION)

    async def indexes():
        await RawSql.raw(
            "CREATE UNIQUE INDEX red_property_evaluation_once ON red_property_evaluation (tenant_id, decision, person_id)")

    manager.add_raw(indexes)
    return manager
