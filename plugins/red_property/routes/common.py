"""What every page of the plugin shares."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.sdk import current_language

from plugins.red_property import votes
from plugins.red_property.handle import plugin

PAGE = {"auth": "session"}
MANAGERS = frozenset({"district_admin", "red_property.manager"})


async def common(request: Request) -> dict[str, Any]:
    return {"tenant": plugin.tenant(request), "base": plugin.base(request), "language": current_language(),
            "kinds": votes.KINDS, "choices": votes.CHOICES, "special": votes.SPECIAL}
