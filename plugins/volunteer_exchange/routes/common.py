"""What every page of the plugin shares."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.sdk import current_language

from plugins.volunteer_exchange.handle import plugin

PAGE = {"auth": "session"}
ADMINS = frozenset({"district_admin"})


async def common(request: Request) -> dict[str, Any]:
    return {"tenant": plugin.tenant(request), "base": plugin.base(request), "language": current_language()}
