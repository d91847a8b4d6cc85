"""What the fee tables cannot say themselves: one schedule per compound, one bill per unit
and month, one payment per ledger key, one online order per number, and the ledger's own
unique keys (``core.ledger``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T04:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one schedule per compound, one bill per unit and month, one payment per key"


class RawSql(Table, tablename="red_property_bill"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="red_property", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX red_property_fee_schedule_once ON red_property_fee_schedule (tenant_id, compound)",
            "CREATE UNIQUE INDEX red_property_bill_once ON red_property_bill (tenant_id, unit, period)",
            "CREATE UNIQUE INDEX red_property_payment_key ON red_property_payment (tenant_id, ledger_key)",
            "CREATE UNIQUE INDEX red_property_payment_order_no ON red_property_payment_order (tenant_id, order_no)",
            "CREATE UNIQUE INDEX red_property_account_key ON red_property_account (tenant_id, key)",
            "CREATE UNIQUE INDEX red_property_transfer_key ON red_property_transfer (tenant_id, key)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
