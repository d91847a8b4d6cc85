"""Which plugins each district has enabled, read on every request and kept right across
processes.

The state lives in ``core_plugin_enablement``; every change also raises the district's
``plugins_revision`` (on ``tenants_tenant``, which resolving the district reads on every
request anyway). Each process caches a district's enabled plugins under the revision it read
them at, so a change made in one process holds on the next request in every other one, with
no restart and nothing to broadcast.
"""

from __future__ import annotations

import contextvars
import json
from typing import Any, Mapping

from core import clock
from core.audit import services as audit
from core.errors import NotFound, ValidationFailed
from core.i18n import Message
from core.plugins.host import host
from core.plugins.manifest import Manifest, Setting
from core.plugins.tables import PluginEnablement, PluginState
from core.tenancy import TenantScope

_cache: dict[int, tuple[int, frozenset[str]]] = {}
# The district whose revision this request (or job) already read, and that revision: the rest
# of the request asks no second time. Raising the revision forgets it.
_known: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar("gongzhi_plugins_revision",
                                                                                 default=None)


def remember_revision(tenant_id: int, revision: int) -> None:
    """The request serves ``tenant_id``, whose revision was just read as ``revision``."""
    _known.set((tenant_id, revision))


async def revision_of(tenant_id: int) -> int:
    from tenants.tables import Tenant

    known = _known.get()
    if known is not None and known[0] == tenant_id:
        return known[1]
    row = await Tenant.select(Tenant.plugins_revision).where(Tenant.id == tenant_id).first()
    return row["plugins_revision"] if row else 0


async def enabled_in(tenant_id: int, revision: int | None = None) -> frozenset[str]:
    """The installed plugins the district has enabled (not disabled, not degraded)."""
    if revision is None:
        revision = await revision_of(tenant_id)
    cached = _cache.get(tenant_id)
    if cached is not None and cached[0] == revision:
        return cached[1]
    scope = TenantScope(tenant_id)
    rows = await scope.select(PluginEnablement, PluginEnablement.plugin, PluginEnablement.accepted_capabilities).where(
        PluginEnablement.state == PluginState.enabled.value)
    installed = host().plugins
    # A version that asks for more than the district accepted waits until it is accepted again.
    names = frozenset(row["plugin"] for row in rows if row["plugin"] in installed
                      and not unaccepted(installed[row["plugin"]].manifest, row["accepted_capabilities"]))
    _cache[tenant_id] = (revision, names)
    return names


def forget_cache() -> None:
    _cache.clear()


async def bump_revision(tenant_id: int) -> None:
    """Tell every process that the district's plugins changed (inside the open transaction)."""
    from tenants.tables import Tenant

    await Tenant.update({Tenant.plugins_revision: Tenant.plugins_revision + 1}).where(Tenant.id == tenant_id)
    _known.set(None)


def unaccepted(manifest: Manifest, accepted: str) -> list[str]:
    """The capabilities the plugin declares that the district has not accepted."""
    have = set(accepted.split())
    return [capability for capability in manifest.capabilities if capability not in have]


def _plugin(name: str):
    plugin = host().plugins.get(name)
    if plugin is None:
        raise NotFound(Message("There is no such plugin."))
    return plugin


async def states(scope: TenantScope) -> dict[str, PluginEnablement]:
    """The district's row for each plugin it has ever enabled."""
    return {row.plugin: row for row in await scope.objects(PluginEnablement)}


async def set_enabled(scope: TenantScope, name: str, enabled: bool, *, actor_id: int | None) -> None:
    """Enable (or re-enable a degraded) plugin, accepting the capabilities its installed
    version declares, or disable it; its data is kept either way. Whoever calls this has
    shown the capabilities and had them accepted (the console asks; the CLI is the operator)."""
    plugin = _plugin(name)
    now = clock.now()
    accepted = " ".join(plugin.manifest.capabilities)
    async with scope.transaction(write=True):
        row = await scope.objects(PluginEnablement).where(PluginEnablement.plugin == name).first()
        state = PluginState.enabled.value if enabled else PluginState.disabled.value
        values = {PluginEnablement.state: state, PluginEnablement.changed_at: now, PluginEnablement.changed_by: actor_id}
        if enabled:
            values.update({PluginEnablement.accepted_capabilities: accepted, PluginEnablement.failures: 0,
                           PluginEnablement.window_started_at: None})
        if row is None:
            row = await scope.create(PluginEnablement, plugin=name, state=state, changed_at=now, changed_by=actor_id,
                                     accepted_capabilities=accepted if enabled else "",
                                     settings=json.dumps(defaults(plugin.manifest), ensure_ascii=False))
        else:
            await scope.update(PluginEnablement, values).where(PluginEnablement.id == row.id)
        if enabled:
            from core.feedback import categories

            await categories.ensure_registered(scope, plugin=name)
        await bump_revision(scope.tenant_id)
        if enabled:
            await audit.record("plugin.enabled", actor_id=actor_id, tenant_id=scope.tenant_id, target=name,
                               version=plugin.manifest.version, capabilities_accepted=list(plugin.manifest.capabilities))
        else:
            await audit.record("plugin.disabled", actor_id=actor_id, tenant_id=scope.tenant_id, target=name)


# Settings ----------------------------------------------------------------------------


def defaults(manifest: Manifest) -> dict[str, Any]:
    return {setting.key: setting.default for setting in manifest.settings}


async def settings_of(scope: TenantScope, name: str) -> dict[str, Any]:
    """The district's settings for the plugin, with the manifest's defaults for the rest."""
    plugin = _plugin(name)
    row = await scope.select(PluginEnablement, PluginEnablement.settings).where(
        PluginEnablement.plugin == name).first()
    stored = json.loads(row["settings"]) if row else {}
    values = defaults(plugin.manifest)
    values.update({key: value for key, value in stored.items() if key in values})
    return values


def _clean_setting(setting: Setting, raw: Any) -> tuple[Any, Message | None]:
    text = raw.strip() if isinstance(raw, str) else ""
    if setting.type == "boolean":
        return raw in ("1", "on", "true", True), None
    if setting.required and not text:
        return text, Message("Please fill this in.")
    if setting.type == "integer":
        from core import forms

        try:
            number = forms.whole_number(text, low=setting.minimum, high=setting.maximum)
            return (setting.default if number is None else number), None
        except forms.FieldError as problem:
            return text, problem.message
    if setting.type == "choice":
        if text not in setting.choices:
            return text, Message("Please choose one of the options.")
        return text, None
    if len(text) > setting.max_length:
        return text, Message("At most %(count)d characters.", {"count": setting.max_length})
    return text, None


async def save_settings(scope: TenantScope, name: str, data: Mapping[str, Any], *, actor_id: int) -> dict[str, Any]:
    """Check and store the district's settings for a plugin; raises ValidationFailed naming each field."""
    plugin = _plugin(name)
    values, errors = {}, {}
    for setting in plugin.manifest.settings:
        value, error = _clean_setting(setting, data.get(setting.key, ""))
        values[setting.key] = value
        if error:
            errors[setting.key] = error
    if errors:
        raise ValidationFailed(errors)
    async with scope.transaction(write=True):
        row = await scope.objects(PluginEnablement).where(PluginEnablement.plugin == name).first()
        encoded = json.dumps(values, ensure_ascii=False)
        if row is None:
            await scope.create(PluginEnablement, plugin=name, state=PluginState.disabled.value, settings=encoded,
                               changed_at=clock.now(), changed_by=actor_id)
        else:
            await scope.update(PluginEnablement, {PluginEnablement.settings: encoded}).where(
                PluginEnablement.id == row.id)
        await audit.record("plugin.settings_changed", actor_id=actor_id, tenant_id=scope.tenant_id, target=name)
    return values
