"""On PostgreSQL, a GIN index over each notice's two-character pieces: searching 100,000
notices for 财务 reads the index, not the table (core.notices.search)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T03:56:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice search index"


class Notice(Table, tablename="notices_notice"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        from core.db import is_sqlite

        if not is_sqlite():  # SQLite searches by scanning: one district's notices
            await Notice.raw("CREATE INDEX notices_notice_search_terms ON notices_notice USING gin (search_terms)")

    manager.add_raw(index)
    return manager
