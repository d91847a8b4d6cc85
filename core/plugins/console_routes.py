"""/t/{slug}/console/plugins: the plugins installed on the platform, which of them the
district uses, their settings, and those stopped after repeated failures. District admins
enable and disable them; it holds on the next request, in every process."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.errors import ValidationFailed
from core.i18n import Message
from core.plugins import enablement
from core.plugins.host import host
from core.plugins.manifest import CAPABILITIES
from core.plugins.tables import STATE_LABELS, PluginState
from core.web.forms import echo, form_data, see_other


def _installed(name: str):
    plugin = host().plugins.get(name)
    if plugin is None:
        raise HTTPException(status_code=404)
    return plugin


class ConsolePluginController(Controller):
    path = "/t/{slug:str}/console/plugins"
    opt = {"auth": "session"}

    async def _listing(self, request: Request, *, errors: dict | None = None, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        states = await enablement.states(tenant.scope)
        plugins = []
        for name, plugin in sorted(host().plugins.items()):
            row = states.get(name)
            state = row.state if row else PluginState.disabled.value
            waiting = enablement.unaccepted(plugin.manifest, row.accepted_capabilities) if row else []
            plugins.append({"name": name, "manifest": plugin.manifest, "state": state,
                            "last_error": row.last_error if row else "",
                            "capabilities": [CAPABILITIES[c] for c in plugin.manifest.capabilities],
                            # Enabled, but its new version asks for more than was accepted.
                            "asks_more": [CAPABILITIES[c] for c in waiting]
                            if state == PluginState.enabled.value else []})
        return Template("console/plugins.html", status_code=status_code, context={
            "tenant": tenant, "plugins": plugins, "state_labels": STATE_LABELS, "errors": errors or {}})

    @get("/", name="console_plugins")
    async def listing(self, request: Request) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await self._listing(request)

    @post("/{name:str}/{action:str}", status_code=303)
    async def switch(self, request: Request, name: FromPath[str], action: FromPath[str]) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        plugin = _installed(name)
        if action not in ("enable", "disable"):
            raise HTTPException(status_code=404)
        tenant = request.state.tenant
        if action == "enable" and plugin.manifest.capabilities:
            data = await form_data(request)
            if data.get("accept") != "1":
                # Enabling is accepting what the plugin may do: the admin says so, every time it asks more.
                return await self._listing(request, errors={name: Message(
                    "Read what it may do, and tick the box to accept it.")}, status_code=422)
        await enablement.set_enabled(tenant.scope, name, action == "enable", actor_id=actor.id)
        return see_other(f"/t/{tenant.slug}/console/plugins")

    async def _settings_page(self, request: Request, name: str, *, values: dict | None = None,
                             errors: dict | None = None, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        plugin = _installed(name)
        current = await enablement.settings_of(tenant.scope, name)
        return Template("console/plugin_settings.html", status_code=status_code, context={
            "tenant": tenant, "name": name, "manifest": plugin.manifest,
            "values": values if values is not None else {k: ("1" if v is True else "" if v is False else v)
                                                         for k, v in current.items()},
            "errors": errors or {}, "saved": request.query_params.get("saved") == "1"})

    @get("/{name:str}", name="console_plugin_settings")
    async def settings(self, request: Request, name: FromPath[str]) -> Template:
        await tenant_roles(request, {DISTRICT_ADMIN})
        return await self._settings_page(request, name)

    @post("/{name:str}", status_code=303)
    async def save(self, request: Request, name: FromPath[str]) -> Response:
        actor, _roles = await tenant_roles(request, {DISTRICT_ADMIN})
        _installed(name)
        data = await form_data(request)
        tenant = request.state.tenant
        try:
            await enablement.save_settings(tenant.scope, name, data, actor_id=actor.id)
        except ValidationFailed as error:
            return await self._settings_page(request, name, values=echo(data),
                                             errors={k: str(m) for k, m in error.errors.items()}, status_code=422)
        return see_other(f"/t/{tenant.slug}/console/plugins/{name}?saved=1")
