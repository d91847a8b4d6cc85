"""What the new tables cannot say themselves: a feedback item is one consultation, and a
person is recorded as an adviser or lawyer once in a district.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one consultation per feedback item, one adviser record per person"


class RawSql(Table, tablename="legal_aid_consultation"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="legal_aid", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX legal_aid_consultation_item ON legal_aid_consultation (tenant_id, item_id)",
            "CREATE UNIQUE INDEX legal_aid_adviser_once ON legal_aid_adviser (tenant_id, person_id)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
