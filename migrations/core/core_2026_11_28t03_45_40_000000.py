"""A person reads a notice once (the unique index makes a second mark harmless)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T03:45:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice reads unique per person"


class NoticeRead(Table, tablename="notices_read"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await NoticeRead.raw("CREATE UNIQUE INDEX notices_read_once ON notices_read (notice_root, person)")

    manager.add_raw(index)
    return manager
