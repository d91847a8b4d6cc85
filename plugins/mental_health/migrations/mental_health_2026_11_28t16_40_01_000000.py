"""What the tables cannot say themselves: one screening per form (a person's idempotency
key, so a form sent twice is one screening) and one referral per screening (so a crisis
sent twice is one referral).

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T16:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one screening per form, one referral per screening"


class RawSql(Table, tablename="mental_health_screening"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mental_health", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX mental_health_screening_once"
            " ON mental_health_screening (tenant_id, person_id, idempotency_key)",
            "CREATE UNIQUE INDEX mental_health_referral_once ON mental_health_referral (tenant_id, screening)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
