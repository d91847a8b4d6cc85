"""What every page of the plugin shares: they are private (``no-store``; the service worker
never caches ``p/mental_health/``), signed in, and carry the hotline numbers."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.sdk import current_language

from plugins.mental_health import services
from plugins.mental_health.handle import plugin

PRIVATE = {"auth": "session", "private": True}


async def common(request: Request) -> dict[str, Any]:
    """What every template gets: the district, the plugin's base path, the language, the hotlines."""
    scope = plugin.scope(request)
    return {"tenant": plugin.tenant(request), "base": plugin.base(request), "language": current_language(),
            "hotlines": [(number, services.dial(number)) for number in await services.hotlines(scope)]}
