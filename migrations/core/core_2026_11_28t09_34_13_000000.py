"""A district has one enablement row per plugin: enabling twice at once cannot make two.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T09:34:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "one enablement row per district and plugin"


class PluginEnablement(Table, tablename="core_plugin_enablement"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await PluginEnablement.raw(
            "CREATE UNIQUE INDEX core_plugin_enablement_once ON core_plugin_enablement (tenant_id, plugin)")

    manager.add_raw(index)
    return manager
