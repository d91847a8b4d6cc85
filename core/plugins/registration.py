"""What a loaded plugin declares, fed into core's registries: feedback categories and
responsible-party types, roles, kinds of sensitive data, jobs, cron jobs, event handlers and translations. Each
registration carries the plugin's name, which is how the host later skips districts that
have not enabled it."""

from __future__ import annotations

import importlib

from core import i18n
from core.accounts import roles
from core.events import handlers as event_handlers
from core.feedback import registry as feedback_registry
from core.jobs import registry as job_registry
from core.protection import retention


def _check_tables(plugin) -> None:
    """A plugin's tables are named for it and belong to one district each, unless its
    manifest declares them province-wide."""
    from core.tenancy import TenantOwned

    for dotted in plugin.piccolo_apps:
        for table in importlib.import_module(dotted).APP_CONFIG.table_classes:
            name = table._meta.tablename
            if not name.startswith(f"{plugin.name}_"):
                raise ValueError(f"plugin {plugin.name}: table {name} is not named {plugin.name}_…")
            if not issubclass(table, TenantOwned) and name not in plugin.manifest.province_tables:
                raise ValueError(f"plugin {plugin.name}: table {name} is neither tenant-owned nor declared in "
                                 f"province_tables")


def register(plugin) -> None:
    manifest = plugin.manifest
    _check_tables(plugin)
    for declared in manifest.party_types:
        feedback_registry.register_party_type(feedback_registry.PartyType(
            declared.name, declared.label, declared.escalates_to, plugin=plugin.name))
    for category in manifest.categories:
        feedback_registry.register_category(feedback_registry.CategorySpec(
            category.key, category.name.zh, category.accept_hours, category.resolve_hours, category.party,
            category.private, plugin=plugin.name))
    for role in manifest.roles:
        roles.register_plugin_role(role.name, role.label, role.scope, plugin.name)
    for declared in manifest.sensitive_data:
        retention.register_kind(retention.Kind(declared.key, declared.label, declared.retention_days,
                                               plugin=plugin.name))
    for function in plugin.jobs:
        declared = getattr(function, "gongzhi_job", None)
        if declared is None:
            raise ValueError(f"plugin {plugin.name}: {function!r} was not declared with plugin.job or plugin.cron")
        job_registry.declare_plugin_job(plugin.name, function, **declared)
    for function in plugin.handlers:
        declared = getattr(function, "gongzhi_handler", None)
        if declared is None:
            raise ValueError(f"plugin {plugin.name}: {function!r} was not declared with plugin.handles")
        event_handlers.handles(declared["event"], name=f"{plugin.name}.{function.__name__}",
                               atomic=declared["atomic"], plugin=plugin.name)(function)
    if plugin.locale_folder is not None:
        i18n.add_catalogues(plugin.name, plugin.locale_folder)


def unregister(plugin) -> None:
    for key in [k for k, spec in feedback_registry.CATEGORIES.items() if spec.plugin == plugin.name]:
        del feedback_registry.CATEGORIES[key]
    for key in [k for k, t in feedback_registry.PARTY_TYPES.items() if t.plugin == plugin.name]:
        del feedback_registry.PARTY_TYPES[key]
    roles.unregister_plugin_roles(plugin.name)
    retention.forget_plugin(plugin.name)
    job_registry.forget_plugin(plugin.name)
    event_handlers.forget_plugin(plugin.name)
    i18n.remove_catalogues(plugin.name)
