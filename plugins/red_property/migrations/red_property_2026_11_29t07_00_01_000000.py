"""An item is routed to a firm once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T07:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one routed row per feedback item"


class RawSql(Table, tablename="red_property_routed"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="red_property", description=DESCRIPTION)

    async def indexes():
        await RawSql.raw("CREATE UNIQUE INDEX red_property_routed_once ON red_property_routed (tenant_id, feedback_id)")

    manager.add_raw(indexes)
    return manager
