"""Per-request context: the language of the response, and on a plugin's pages that plugin
(whose catalogue then answers before the other plugins').

The language is the one a person chose (the ``gongzhi_language`` cookie, set by the switch on
every page and at log-in from their account), else the best match for ``Accept-Language``.
It is kept in a context variable so services and templates translate without being passed it.
"""

from __future__ import annotations

import re

from litestar.datastructures import Headers
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core import i18n


LANGUAGE_COOKIE = "gongzhi_language"
ELDERLY_COOKIE = "gongzhi_elderly"


def cookie_from_scope(scope: Scope, name: str) -> str | None:
    """A cookie's value, for middlewares (which run before Litestar parses cookies)."""
    header = Headers.from_scope(scope).get("cookie", "")
    for part in header.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


# A plugin's pages and API: /t/{slug}/p/{plugin}/… and /api/v1/t/{slug}/p/{plugin}/…
_PLUGIN_PATH = re.compile(r"^(?:/api/v1)?/t/[^/]+/p/([a-z][a-z0-9_]*)(?:/|$)")


class LanguageMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        chosen = cookie_from_scope(scope, LANGUAGE_COOKIE)
        language = chosen if chosen in i18n.LANGUAGES else i18n.negotiate(headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language
        plugin = _PLUGIN_PATH.match(scope.get("path", ""))
        token = i18n.set_language(language)
        plugin_token = i18n.set_plugin(plugin.group(1) if plugin else None)
        try:
            await next_app(scope, receive, send)
        finally:
            i18n.reset_plugin(plugin_token)
            i18n.reset_language(token)
