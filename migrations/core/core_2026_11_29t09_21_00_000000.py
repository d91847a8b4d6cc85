"""One retention rule per district and kind of sensitive data."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T09:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one retention rule per district and kind"


class RetentionRule(Table, tablename="core_retention_rule"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await RetentionRule.raw(
            "CREATE UNIQUE INDEX core_retention_rule_kind ON core_retention_rule (tenant_id, kind)")

    manager.add_raw(index)
    return manager
