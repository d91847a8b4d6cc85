"""Indexes the province-scale benchmark asked for: a party's staff among a district's roles
(nearly all of them ``resident``), the open items of a district newest first (the overdue
queue), a district's published notices in the order residents read them, and a district's
items newest first (Open311's listing)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for roles, open items, published notices and newest items"


class FeedbackItem(Table, tablename="feedback_item"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE INDEX accounts_membership_role_tenant_role ON accounts_membership_role (tenant_id, role)",
            "CREATE INDEX feedback_item_open ON feedback_item (tenant_id, id) "
            "WHERE state IN ('submitted', 'accepted', 'assigned', 'in_progress', 'reopened')",
            "CREATE INDEX notices_notice_published ON notices_notice (tenant_id, pinned, published_at) "
            "WHERE status = 'published'",
            "CREATE INDEX feedback_item_created ON feedback_item (tenant_id, created_at, id)",
        ):
            await FeedbackItem.raw(statement)

    manager.add_raw(indexes)
    return manager
