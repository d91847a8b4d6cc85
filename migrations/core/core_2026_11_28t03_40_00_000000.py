"""Memberships are read per district in person order (fan-out batches): an index on both."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership index by district and person"


class Membership(Table, tablename="accounts_membership"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await Membership.raw("CREATE INDEX accounts_membership_tenant_person ON accounts_membership (tenant_id, person)")

    manager.add_raw(index)
    return manager
