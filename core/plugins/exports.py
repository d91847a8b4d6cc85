"""A district's data held by plugins, for the district's export: every installed plugin's
part, whether the district has it enabled or not (disabling keeps the data)."""

from __future__ import annotations

from typing import Any

from core.plugins.host import host
from core.tenancy import TenantScope


async def tenant_sections(scope: TenantScope) -> dict[str, Any]:
    """``{plugin: {section: json}}``; a plugin that fails is logged, counted and left out."""
    installed = frozenset(host().plugins)
    found = await host().call_each("export_tenant", installed, tenant_id=scope.tenant_id, place="tenant export",
                                   scope=scope)
    return {name: sections for name, sections in found if name in installed and sections}
