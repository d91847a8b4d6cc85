"""Containing a plugin that fails: log it with the district and the plugin, count it, and
after repeated failures stop the plugin in that district (degraded) until an admin enables
it again."""

from __future__ import annotations

import logging
from datetime import timedelta

from core import clock
from core.plugins.tables import PluginEnablement, PluginState
from core.tenancy import TenantScope

log = logging.getLogger("gongzhi.plugins")

# This many failures within WINDOW of the first one, and the plugin is degraded.
LIMIT = 5
WINDOW = timedelta(minutes=10)


async def record(tenant_id: int | None, plugin: str, place: str, error: BaseException) -> bool:
    """Log and count one failure; returns True when it degraded the plugin in the district."""
    log.error("plugin %s failed in district %s (%s): %s: %s", plugin, tenant_id, place, type(error).__name__, error,
              exc_info=error)
    if tenant_id is None:
        return False
    from core.plugins import enablement

    scope = TenantScope(tenant_id)
    now = clock.now()
    try:
        async with scope.transaction(write=True):
            row = await scope.objects(PluginEnablement).where(PluginEnablement.plugin == plugin).first()
            if row is not None:  # locked: failures at the same time (other requests, workers) all count
                row = await scope.get(PluginEnablement, row.id, for_update=True)
            if row is None or row.state != PluginState.enabled.value:
                return False
            fresh = row.window_started_at is None or now - row.window_started_at > WINDOW
            failures = 1 if fresh else row.failures + 1
            degraded = failures >= LIMIT
            values = {
                PluginEnablement.failures: failures,
                PluginEnablement.window_started_at: now if fresh else row.window_started_at,
                PluginEnablement.last_error: f"{place}: {type(error).__name__}: {error}"[:2000],
            }
            if degraded:
                values[PluginEnablement.state] = PluginState.degraded.value
                values[PluginEnablement.changed_at] = now
                await enablement.bump_revision(tenant_id)
            await scope.update(PluginEnablement, values).where(PluginEnablement.id == row.id)
    except Exception:  # counting must never turn a contained failure into a new one
        log.exception("could not record the failure of plugin %s in district %s", plugin, tenant_id)
        return False
    if degraded:
        log.error("plugin %s is degraded in district %s after %d failures", plugin, tenant_id, failures)
    return degraded
