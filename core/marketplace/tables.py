"""The marketplace's platform-level tables: plugins by name, and each uploaded release."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.i18n import N_


class ReleaseStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


STATUS_LABELS = {
    ReleaseStatus.pending.value: N_("Pending review"),
    ReleaseStatus.approved.value: N_("Approved"),
    ReleaseStatus.rejected.value: N_("Rejected"),
}


class MarketplacePlugin(Table, tablename="marketplace_plugin"):
    """A plugin name, owned by the publisher who first published it (unique by a raw index)."""

    name = Varchar(length=40)
    publisher_id = Integer(help_text="The person who owns the name")
    created_at = Timestamptz()


class MarketplaceRelease(Table, tablename="marketplace_release"):
    """One uploaded wheel of a plugin; (plugin, version) is unique whatever its status."""

    plugin_id = Integer()
    version = Varchar(length=40)
    status = Varchar(length=16, default=ReleaseStatus.pending.value, choices=ReleaseStatus)
    filename = Varchar(length=255, help_text="The name it was uploaded with, for showing only")
    sha256 = Varchar(length=64)
    size = Integer(help_text="Bytes")
    file_key = Varchar(length=100, help_text="Where the wheel is kept (core.storage.platform)")
    manifest = Text(default="{}", help_text="manifest.toml, as JSON")
    report = Text(default="[]", help_text="The check's problems (none when accepted), as JSON")
    changelog = Text(default="")
    rejection_reason = Text(default="")
    submitted_by = Integer()
    submitted_at = Timestamptz()
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
