"""The route inventory: every route of the app, with what the sweeps need to know.

Each handler declares how it is authenticated in its ``opt``: ``{"auth": "none"}``,
``{"auth": "session"}`` or ``{"auth": "token"}`` (a controller may declare it for all of its
handlers); ``{"auth": "api_key"}``: a district's client key sent as the ``api_key`` parameter
(Open311); ``{"auth": "signed"}``: a message a third party signs, whose handler checks the
signature and refuses what it cannot verify (a payment provider's notification: no cookie, so
no CSRF token); ``{"auth": "test"}`` marks the test-mode-only routes, which production never has. The CSRF test, the cross-tenant test, the accessibility sweep and the bad-input
sweep all read :func:`inventory`, so a new route is in every sweep the moment it exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

AUTH_KINDS = ("none", "session", "token", "api_key", "signed", "test")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_TENANT_PATH = re.compile(r"^(/api/v1)?/t/\{slug")

# Routes Litestar itself provides; they are read-only and need no declaration.
_FRAMEWORK_PATHS = ("/schema", "/static")


@dataclass(frozen=True)
class RouteInfo:
    path: str
    method: str
    name: str
    auth: str | None
    takes_tenant: bool
    takes_object_id: bool
    handler: HTTPRouteHandler

    @property
    def unsafe(self) -> bool:
        return self.method in UNSAFE_METHODS

    def example_path(self, slug: str = "qindu", object_id: int = 1) -> str:
        """The path with its parameters filled in, for requests in sweeps."""

        def fill(match: re.Match) -> str:
            name, kind = match.group(1), match.group(2)
            if name == "slug":
                return slug
            return str(object_id) if kind == "int" else "x"

        return _PARAM.sub(fill, self.path)


def _auth_of(handler: HTTPRouteHandler) -> str | None:
    for layer in reversed(handler.ownership_layers):
        auth = (getattr(layer, "opt", None) or {}).get("auth")
        if auth:
            return auth
    return None


def inventory(app: Litestar) -> list[RouteInfo]:
    routes: list[RouteInfo] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            params = [name for name, _kind in _PARAM.findall(route.path)]
            for method in sorted(handler.http_methods):
                if method in ("HEAD", "OPTIONS"):
                    continue
                routes.append(RouteInfo(
                    path=route.path,
                    method=method,
                    name=handler.name or handler.handler_name,
                    auth=_auth_of(handler),
                    takes_tenant=bool(_TENANT_PATH.match(route.path)),
                    takes_object_id=any(name != "slug" for name in params) or (
                        "slug" in params and not _TENANT_PATH.match(route.path)),
                    handler=handler,
                ))
    return sorted(routes, key=lambda r: (r.path, r.method))


def is_framework_route(route: RouteInfo) -> bool:
    return route.path.startswith(_FRAMEWORK_PATHS)
