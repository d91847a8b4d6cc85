"""The plugin host: finds plugins, reads their manifests, registers what they declare and
calls their hooks, one plugin at a time, only where a district has enabled them.

Plugins are found through the entry-point group ``gongzhi.plugins``; the entry point names
the module holding the plugin's hook implementations, and ``manifest.toml`` sits in that
module's package. A plugin whose manifest is wrong, or that does not support this core's API
version, is not loaded; the reason is kept in :attr:`PluginHost.problems` and logged.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs
from core.plugins.manifest import CORE_API_VERSION, Manifest, ManifestError, load as load_manifest

log = logging.getLogger("gongzhi.plugins")
trace_log = logging.getLogger("gongzhi.plugins.trace")

ENTRY_POINT_GROUP = "gongzhi.plugins"
# Core's own implementations of hooks (the development SMS outbox, …): always on.
CORE_IMPLEMENTATIONS = ("core.messaging.outbox", "core.notifications.personal_data", "core.appointments.personal_data")


def tracing() -> bool:
    return os.environ.get("GONGZHI_PLUGINS_TRACE", "") not in ("", "0")


@dataclass
class LoadedPlugin:
    name: str
    manifest: Manifest
    module: ModuleType
    distribution: str = ""
    page_routes: list = field(default_factory=list)
    api_routes: list = field(default_factory=list)
    template_folder: Path | None = None
    static_folder: Path | None = None
    locale_folder: Path | None = None
    piccolo_apps: list[str] = field(default_factory=list)
    jobs: list = field(default_factory=list)
    handlers: list = field(default_factory=list)


class PluginHost:
    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.problems: dict[str, str] = {}
        for module_name in CORE_IMPLEMENTATIONS:
            self.manager.register(importlib.import_module(module_name), name=module_name)
        self._monitor()

    # Loading ------------------------------------------------------------------------

    def load_entry_points(self) -> None:
        for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            try:
                module = entry.load()
                distribution = f"{entry.dist.name} {entry.dist.version}" if entry.dist else ""
                self.add(module, distribution=distribution)
            except Exception as error:  # a broken plugin must not stop the platform
                self.problems[entry.name] = f"{type(error).__name__}: {error}"
                log.error("plugin %s (entry point %s) was not loaded: %s", entry.name, entry.value, error)

    def add(self, module: ModuleType, *, distribution: str = "", folder: Path | None = None) -> LoadedPlugin:
        """Load the plugin whose hook implementations are in ``module`` (its manifest is in
        ``folder``, by default the module's package folder) and register what it declares."""
        folder = folder or Path(inspect.getfile(module)).resolve().parent
        manifest = load_manifest(folder)
        if manifest.name in self.plugins:
            raise ManifestError(manifest.name, ["a plugin of this name is already loaded"])
        if not manifest.supports_core():
            raise ManifestError(manifest.name, [f"supports core {manifest.core}, this is core {CORE_API_VERSION}"])
        self._check_hooks(module, manifest.name)
        self.manager.register(module, name=manifest.name)
        plugin = LoadedPlugin(manifest.name, manifest, module, distribution)
        from core.plugins import registration

        try:
            plugin.page_routes = list(self._own(plugin, "page_routes"))
            plugin.api_routes = list(self._own(plugin, "api_routes"))
            plugin.piccolo_apps = list(self._own(plugin, "piccolo_apps"))
            plugin.jobs = list(self._own(plugin, "jobs"))
            plugin.handlers = list(self._own(plugin, "event_handlers"))
            for attribute, hook in (("template_folder", "template_folder"), ("static_folder", "static_folder"),
                                    ("locale_folder", "locale_folder")):
                found = list(self._own(plugin, hook))
                setattr(plugin, attribute, Path(found[0]) if found else None)
            registration.register(plugin)
        except Exception:
            registration.unregister(plugin)
            self.manager.unregister(name=manifest.name)
            raise
        self.plugins[manifest.name] = plugin
        return plugin

    def remove(self, name: str) -> None:
        """Unload a plugin (tests load and unload their own plugins)."""
        plugin = self.plugins.pop(name)
        from core.plugins import registration

        registration.unregister(plugin)
        self.manager.unregister(name=name)

    def _check_hooks(self, module: ModuleType, name: str) -> None:
        """Every hook implementation names a hookspec and only its arguments."""
        problems = []
        for attribute in dir(module):
            function = getattr(module, attribute)
            if not callable(function) or getattr(function, f"{hookspecs.PROJECT}_impl", None) is None:
                continue
            if attribute not in hookspecs.arguments():
                problems.append(f"{attribute}: no such hook")
                continue
            wanted = set(hookspecs.arguments()[attribute])
            given = set(inspect.signature(function).parameters)
            if not given <= wanted:
                problems.append(f"{attribute}: unknown arguments {sorted(given - wanted)}")
        if problems:
            raise ManifestError(name, problems)

    def _own(self, plugin: LoadedPlugin, hook_name: str) -> Iterable[Any]:
        """What one plugin's implementation of a load-time hook returns (flattened)."""
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            if impl.plugin_name != plugin.name:
                continue
            result = self._timed(plugin.name, hook_name, impl.function, {})
            if result is None:
                continue
            if isinstance(result, (str, Path)) or not isinstance(result, Iterable):
                yield result
            else:
                yield from result

    # Calling hooks ------------------------------------------------------------------

    def _timed(self, plugin: str, hook_name: str, function, kwargs: dict[str, Any]) -> Any:
        if not tracing():
            return function(**kwargs)
        started = time.perf_counter()
        try:
            return function(**kwargs)
        finally:
            trace_log.info("hook %s → %s: %.2f ms", hook_name, plugin, (time.perf_counter() - started) * 1000)

    async def call_each(self, hook_name: str, enabled: frozenset[str], *, tenant_id: int | None, place: str,
                        **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on each plugin in ``enabled`` (and on core's own implementations),
        one at a time; returns ``(plugin, result)`` for those that did not fail. A plugin that
        raises is logged with the district and counted against it; the others go on."""
        from core.plugins import failures

        results = []
        for impl in reversed(getattr(self.manager.hook, hook_name).get_hookimpls()):
            name = impl.plugin_name
            if name in self.plugins and name not in enabled:
                continue
            arguments = {key: kwargs[key] for key in impl.argnames}
            started = time.perf_counter()
            try:
                result = impl.function(**arguments)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as error:
                await failures.record(tenant_id, name, place, error)
                continue
            finally:
                if tracing():
                    trace_log.info("hook %s → %s (district %s): %.2f ms", hook_name, name, tenant_id,
                                   (time.perf_counter() - started) * 1000)
            results.append((name, result))
        return results

    async def call_one(self, name: str, hook_name: str, **kwargs: Any) -> Any:
        """One plugin's implementation of a firstresult hook (None when it has none)."""
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            if impl.plugin_name == name:
                result = self._timed(name, hook_name, impl.function,
                                     {key: kwargs[key] for key in impl.argnames})
                return await result if inspect.isawaitable(result) else result
        return None

    def _monitor(self) -> None:
        """GONGZHI_PLUGINS_TRACE=1: log every call of a global hook with its duration (read at
        each call, like :meth:`call_each` does, so that it holds for a host made before it was set)."""
        started: list[float] = []

        def before(hook_name, hook_impls, kwargs) -> None:
            started.append(time.perf_counter())

        def after(outcome, hook_name, hook_impls, kwargs) -> None:
            elapsed = (time.perf_counter() - started.pop()) * 1000 if started else 0.0
            if not tracing():
                return
            names = ", ".join(impl.plugin_name for impl in hook_impls)
            trace_log.info("hook %s → [%s]: %.2f ms", hook_name, names, elapsed)

        self.manager.add_hookcall_monitoring(before, after)

    # What the app needs -------------------------------------------------------------

    def template_folders(self) -> dict[str, Path]:
        return {name: p.template_folder for name, p in self.plugins.items() if p.template_folder}

    def owner_of_category(self, key: str) -> str | None:
        from core.feedback import registry

        spec = registry.CATEGORIES.get(key)
        return spec.plugin if spec else None


_host: PluginHost | None = None


def host() -> PluginHost:
    """The process's plugin host, with every installed plugin loaded (once)."""
    global _host
    if _host is None:
        created = PluginHost()
        _host = created
        created.load_entry_points()
    return _host
