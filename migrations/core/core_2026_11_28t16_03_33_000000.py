"""A push subscription is kept once per district and endpoint, and a channel message once per
inbox entry, channel and device (a person's phone and tablet each get their push).

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that adds the tables and columns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T16:03:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "one push subscription per district and endpoint; one channel message per entry, channel and device"


class PushSubscription(Table, tablename="core_push_subscription"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX core_push_subscription_once ON core_push_subscription (tenant_id, endpoint)",
            "DROP INDEX core_channel_message_once",
            "CREATE UNIQUE INDEX core_channel_message_once ON core_channel_message (inbox_entry, channel, device)",
        ):
            await PushSubscription.raw(statement)

    manager.add_raw(indexes)
    return manager
