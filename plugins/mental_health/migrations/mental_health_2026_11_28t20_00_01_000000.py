"""What the new tables cannot say themselves: a resident has one current counsellor, a
counsellor is on duty once at a time, and a person is registered as a helper once.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T20:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one current counsellor per resident, one duty per counsellor, one helper record per person"


class RawSql(Table, tablename="mental_health_assignment"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mental_health", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX mental_health_assignment_current"
            " ON mental_health_assignment (tenant_id, person_id) WHERE ended_at IS NULL",
            "CREATE UNIQUE INDEX mental_health_duty_current"
            " ON mental_health_duty (tenant_id, counsellor_id) WHERE until IS NULL",
            "CREATE UNIQUE INDEX mental_health_helper_once ON mental_health_helper (tenant_id, person_id)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
