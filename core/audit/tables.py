"""The audit log's table. Rows are only ever inserted: triggers refuse updates and deletes."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="core_audit_entry"):
    """One audited event. ``tenant_id`` is empty for platform events."""

    at = Timestamptz(index=True)
    tenant_id = Integer(null=True, default=None, index=True)
    actor_id = Integer(null=True, default=None, index=True, help_text="The person who acted, if any")
    action = Varchar(length=64, index=True, help_text="e.g. login.succeeded, tenant.approved")
    target = Varchar(length=255, default="", help_text="What was acted on, e.g. tenant:liquan")
    client_address = Varchar(length=64, default="")
    details = Text(default="{}", help_text="JSON")
