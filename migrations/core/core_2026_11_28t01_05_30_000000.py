"""The audit log is append-only: triggers refuse UPDATE and DELETE (and TRUNCATE) on both engines.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that creates the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T01:05:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log append-only triggers"


class AuditEntry(Table, tablename="core_audit_entry"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def append_only():
        from core.db import is_sqlite

        if is_sqlite():
            for event in ("UPDATE", "DELETE"):
                await AuditEntry.raw(
                    f"CREATE TRIGGER core_audit_entry_no_{event.lower()} BEFORE {event} ON core_audit_entry "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
        else:
            await AuditEntry.raw(
                "CREATE OR REPLACE FUNCTION core_audit_entry_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
            )
            await AuditEntry.raw(
                "CREATE TRIGGER core_audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                "ON core_audit_entry FOR EACH STATEMENT EXECUTE FUNCTION core_audit_entry_append_only()"
            )

    manager.add_raw(append_only)
    return manager
