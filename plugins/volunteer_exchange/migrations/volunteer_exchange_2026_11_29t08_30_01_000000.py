"""One attendance per volunteer and activity."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T08:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one attendance per volunteer and activity"


class RawSql(Table, tablename="volunteer_exchange_attendance"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="volunteer_exchange", description=DESCRIPTION)

    async def indexes():
        await RawSql.raw("CREATE UNIQUE INDEX volunteer_exchange_attendance_once"
                         " ON volunteer_exchange_attendance (tenant_id, activity, person_id)")

    manager.add_raw(indexes)
    return manager
