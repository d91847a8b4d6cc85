"""The escalation job's indexes: only open items, by the deadline that applies to them, so a
district's sweep for overdue items reads an index at any size (never the table)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T04:35:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "feedback escalation indexes"


class FeedbackItem(Table, tablename="feedback_item"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE INDEX feedback_item_accept_due ON feedback_item (tenant_id, accept_due) "
            "WHERE state = 'submitted'",
            "CREATE INDEX feedback_item_resolve_due ON feedback_item (tenant_id, resolve_due) "
            "WHERE state IN ('accepted', 'assigned', 'in_progress', 'reopened')",
        ):
            await FeedbackItem.raw(statement)

    manager.add_raw(indexes)
    return manager
