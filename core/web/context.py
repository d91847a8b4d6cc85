"""Per-request context: the language of the response.

The language follows ``Accept-Language`` (a person's own choice comes with accounts) and
is kept in a context variable so services and templates translate without being passed it.
"""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core import i18n


class LanguageMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        language = i18n.negotiate(headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language
        token = i18n.set_language(language)
        try:
            await next_app(scope, receive, send)
        finally:
            i18n.reset_language(token)
