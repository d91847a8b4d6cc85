"""What the tables cannot say themselves: one application per form (a person's idempotency
key), one label per space in a community, and in each month at most one allocation of a
space and one of an application, so that no allocation is made twice even by two runs at
once.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys, labels and monthly allocations"


class RawSql(Table, tablename="parking_space"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="parking", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX parking_application_once"
            " ON parking_application (tenant_id, person_id, idempotency_key)",
            "CREATE UNIQUE INDEX parking_space_label_once ON parking_space (tenant_id, community_id, label)",
            "CREATE UNIQUE INDEX parking_allocation_space_once ON parking_allocation (month, space)",
            "CREATE UNIQUE INDEX parking_allocation_application_once ON parking_allocation (month, application)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
