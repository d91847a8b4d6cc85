"""The points book's unique keys: one account per key, one transfer per idempotency key (the
book is province-wide, so the keys carry the province and no tenant_id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T08:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one account per key, one transfer per idempotency key"


class RawSql(Table, tablename="volunteer_exchange_account"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="volunteer_exchange", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX volunteer_exchange_account_key ON volunteer_exchange_account (key)",
            "CREATE UNIQUE INDEX volunteer_exchange_transfer_key ON volunteer_exchange_transfer (key)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
