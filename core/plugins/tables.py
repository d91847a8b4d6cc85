"""Which plugins a district has enabled, with their settings and their health."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from core.i18n import N_
from core.tenancy import TenantOwned


class PluginState(str, Enum):
    enabled = "enabled"
    disabled = "disabled"
    # Failed repeatedly: off for the district until an admin enables it again.
    degraded = "degraded"


STATE_LABELS = {
    PluginState.enabled.value: N_("Enabled"),
    PluginState.disabled.value: N_("Not enabled"),
    PluginState.degraded.value: N_("Stopped after repeated failures"),
}


class PluginEnablement(TenantOwned, tablename="core_plugin_enablement"):
    """One plugin in one district (no row: never enabled). Disabling keeps the plugin's data."""

    plugin = Varchar(length=40)
    state = Varchar(length=16, default=PluginState.disabled.value, choices=PluginState)
    settings = Text(default="{}", help_text="The district's settings for the plugin, as JSON")
    accepted_capabilities = Text(default="", help_text="The capabilities the district's admin accepted, space-separated")
    failures = Integer(default=0, help_text="Failures since the window began")
    window_started_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    changed_at = Timestamptz()
    changed_by = Integer(null=True, default=None)
