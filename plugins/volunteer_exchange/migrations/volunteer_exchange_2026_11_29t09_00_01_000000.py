"""One service record per award, one live membership of the exchange per district, one
redemption per key and per code in a district."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one service record per award, one membership per district, one redemption per key and code"


class RawSql(Table, tablename="volunteer_exchange_redemption"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="volunteer_exchange", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX volunteer_exchange_service_key ON volunteer_exchange_service (key)",
            "CREATE UNIQUE INDEX volunteer_exchange_member_live ON volunteer_exchange_member (district_id)"
            " WHERE left_at IS NULL",
            "CREATE UNIQUE INDEX volunteer_exchange_redemption_key ON volunteer_exchange_redemption (tenant_id, key)",
            "CREATE UNIQUE INDEX volunteer_exchange_redemption_code ON volunteer_exchange_redemption (tenant_id, code)",
        ):
            await RawSql.raw(statement)

    manager.add_raw(indexes)
    return manager
