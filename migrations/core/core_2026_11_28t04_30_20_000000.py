"""Feedback items: a tracking number once per district, an idempotency key once per
submitter, one counter per district and year."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T04:30:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "feedback unique indexes"


class FeedbackItem(Table, tablename="feedback_item"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX feedback_item_tracking ON feedback_item (tenant_id, tracking_number)",
            "CREATE UNIQUE INDEX feedback_item_idempotency ON feedback_item (tenant_id, submitter, idempotency_key)",
            "CREATE UNIQUE INDEX feedback_counter_year ON feedback_counter (tenant_id, year)",
        ):
            await FeedbackItem.raw(statement)

    manager.add_raw(indexes)
    return manager
