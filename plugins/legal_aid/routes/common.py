"""What every page of the plugin shares: they are private and signed in, and carry the
public legal service hotline."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.sdk import current_language

from plugins.legal_aid import texts
from plugins.legal_aid.handle import plugin

PRIVATE = {"auth": "session", "private": True}


async def common(request: Request) -> dict[str, Any]:
    scope = plugin.scope(request)
    settings = await plugin.settings(scope)
    return {"tenant": plugin.tenant(request), "base": plugin.base(request), "language": current_language(),
            "hotline": settings["hotline"] or "12348", "matters": texts.MATTERS, "grounds": texts.GROUNDS,
            "case_states": texts.CASE_STATES}
