"""Plugins on the web: their routes mounted per plugin (404 where not enabled, failures
contained), and their navigation entries, home tiles and console widgets gathered for a
page, each plugin's part built on its own so that one failing leaves the page whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, Router
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Receive, Scope, Send
from markupsafe import Markup

from core.i18n import Message
from core.plugins.host import host


@dataclass(frozen=True)
class Visit:
    """Who is looking at which page of which district: what tenant-scoped hooks are given."""

    tenant: Any
    actor: Any
    roles: frozenset[str]
    path: str

    @property
    def scope(self):
        return self.tenant.scope

    @property
    def slug(self) -> str:
        return self.tenant.slug


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a Message, a text in both languages, or a plain string
    url: str


@dataclass(frozen=True)
class Tile:
    title: Any
    url: str
    text: Any = ""
    icon: str = ""  # a static URL


@dataclass(frozen=True)
class Widget:
    title: Any
    template: str = ""  # the plugin's template, rendered with ``context``
    context: dict[str, Any] = field(default_factory=dict)
    text: Any = ""


# Routes ------------------------------------------------------------------------------


def _enabled_guard(name: str):
    def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        tenant = connection.scope.get("state", {}).get("tenant")
        if tenant is None or name not in tenant.plugins:
            raise HTTPException(status_code=404)

    return guard


def _contained(name: str):
    def handle(request: Request, error: Exception) -> Response:
        from core.plugins import failures
        from core.web.errors import respond

        tenant = request.scope.get("state", {}).get("tenant")
        response = respond(request, 503, Message("This service is not available right now. Please try again later."))
        response.background = BackgroundTask(failures.record, tenant.id if tenant else None, name,
                                             f"route {request.method} {request.url.path}", error)
        return response

    return handle


def routers() -> list[Router]:
    """One router per plugin and kind (pages, API), under the plugin's own path."""
    result = []
    for name, plugin in sorted(host().plugins.items()):
        for prefix, handlers in (("", plugin.page_routes), ("/api/v1", plugin.api_routes)):
            if handlers:
                result.append(Router(path=f"{prefix}/t/{{slug:str}}/p/{name}", route_handlers=handlers,
                                     guards=[_enabled_guard(name)], exception_handlers={Exception: _contained(name)},
                                     opt={"plugin": name}, include_in_schema=bool(prefix)))
        if plugin.static_folder is not None:
            result.append(create_static_files_router(path=f"/static/p/{name}", directories=[plugin.static_folder],
                                                     name=f"static_{name}", include_in_schema=False))
    return result


# Parts of pages ------------------------------------------------------------------------


async def visit_of(request: Request, *, roles: frozenset[str] | None = None) -> Visit:
    """The request's visit; the one the navigation middleware made, when there is one."""
    state = request.scope.get("state", {})
    if roles is None and state.get("plugin_visit") is not None:
        return state["plugin_visit"]
    tenant, actor = state.get("tenant"), state.get("actor")
    if roles is None:
        roles = frozenset()
        if actor is not None:
            from core.accounts import services

            roles = await services.roles_in(tenant.scope, actor.id)
    return Visit(tenant, actor, roles, request.url.path)


async def _gather(hook_name: str, visit: Visit) -> list[tuple[str, Any]]:
    """Each plugin's items, read one plugin at a time: a hook may be a generator, or return
    what is not a list, and fail only when its result is read."""
    from core.plugins import failures

    found = await host().call_each(hook_name, visit.tenant.plugins, tenant_id=visit.tenant.id, place=hook_name,
                                   visit=visit)
    gathered = []
    for name, items in found:
        try:
            gathered.extend((name, item) for item in list(items or ()))
        except Exception as error:
            await failures.record(visit.tenant.id, name, hook_name, error)
    return gathered


async def tiles(request: Request) -> list[Tile]:
    tenant = request.scope["state"]["tenant"]
    if not tenant.plugins:
        return []
    return [tile for _name, tile in await _gather("home_tiles", await visit_of(request))]


async def widgets(request: Request, roles: frozenset[str]) -> list[dict[str, Any]]:
    """The console widgets of the district's plugins, rendered (a widget whose template fails
    is left out like one whose hook fails)."""
    from core.plugins import failures
    from core.templating import environment

    tenant = request.scope["state"]["tenant"]
    if not tenant.plugins:
        return []
    rendered = []
    for name, widget in await _gather("console_widgets", await visit_of(request, roles=roles)):
        try:
            body = (environment().get_template(widget.template).render(request=request, tenant=tenant,
                                                                         **widget.context)
                    if widget.template else str(widget.text))
        except Exception as error:
            await failures.record(tenant.id, name, "console widget", error)
            continue
        rendered.append({"plugin": name, "title": str(widget.title), "body": Markup(body) if widget.template
                         else body})
    return rendered


class NavigationMiddleware(ASGIMiddleware):
    """Puts the enabled plugins' navigation entries on ``scope["state"]["plugin_nav"]`` for
    a district's pages (after the session is read, so that entries can depend on roles)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope.get("state", {})
        tenant = state.get("tenant")
        if (tenant is not None and tenant.plugins and scope.get("method") == "GET"
                and scope["path"].startswith("/t/")):
            request = Request(scope)
            state["plugin_visit"] = visit = await visit_of(request)
            entries = await _gather("navigation", visit)
            state["plugin_nav"] = [entry for _name, entry in entries]
        await next_app(scope, receive, send)
