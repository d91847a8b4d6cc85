"""The unread count in the page header of a district's pages."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.notifications.services import unread_count


def _wants_page(scope: Scope) -> bool:
    if scope.get("method") != "GET":
        return False
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


class UnreadCountMiddleware(ASGIMiddleware):
    """Puts ``inbox_unread`` on the request state for pages of an active district with a
    signed-in person (one indexed count; API calls and posts skip it)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope.setdefault("state", {})
        tenant, actor = state.get("tenant"), state.get("actor")
        if tenant is not None and actor is not None and tenant.is_active and _wants_page(scope):
            state["inbox_unread"] = await unread_count(tenant.scope, actor.id)
        await next_app(scope, receive, send)
