"""A plugin name is owned once, and a version of a plugin is published once, whatever its status:
two uploads at the same moment cannot both succeed.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T11:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one marketplace plugin per name, one release per plugin and version"


class MarketplaceRelease(Table, tablename="marketplace_release"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await MarketplaceRelease.raw("CREATE UNIQUE INDEX marketplace_plugin_name_once ON marketplace_plugin (name)")
        await MarketplaceRelease.raw(
            "CREATE UNIQUE INDEX marketplace_release_version_once ON marketplace_release (plugin_id, version)")

    manager.add_raw(index)
    return manager
