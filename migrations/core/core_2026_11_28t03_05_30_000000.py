"""Inbox entries and channel messages are unique per person and notification (per entry
and channel): the database itself makes a second fan-out of the same batch harmless. A
partial index serves the unread count in every page header.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T03:05:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique inbox entries and channel messages; unread index"


class InboxEntry(Table, tablename="core_inbox_entry"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX core_inbox_entry_once ON core_inbox_entry (notification, person)",
            "CREATE UNIQUE INDEX core_channel_message_once ON core_channel_message (inbox_entry, channel)",
            "CREATE INDEX core_inbox_entry_unread ON core_inbox_entry (person, tenant_id) WHERE read_at IS NULL",
            "CREATE UNIQUE INDEX core_event_delivery_once ON core_event_delivery (event, handler)",
        ):
            await InboxEntry.raw(statement)

    manager.add_raw(indexes)
    return manager
