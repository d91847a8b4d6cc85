"""What a running job is given, whichever runner runs it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from core.config import Settings
from core.jobs.registry import JobSpec
from core.tenancy import TenantScope

log = logging.getLogger("gongzhi.jobs")


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    job_id: str
    job_try: int = 1

    def scope(self, tenant_id: int) -> TenantScope:
        return TenantScope(tenant_id)


async def tenant_is_active(tenant_id: int) -> bool:
    from tenants.tables import Tenant, TenantStatus

    status = await Tenant.select(Tenant.status).where(Tenant.id == tenant_id).first()
    return status is not None and status["status"] == TenantStatus.active


async def run(spec: JobSpec, ctx: JobContext, tenant_id: int | None, kwargs: dict[str, Any]) -> Any:
    """Run one job (the runner applies the timeout). A per-tenant scheduled job skips a
    district that is not active, so suspending a district stops its scheduled work."""
    if spec.needs_active_tenant:
        if tenant_id is None:
            raise ValueError(f"job {spec.name} runs per district and needs a tenant id")
        if not await tenant_is_active(tenant_id):
            log.info("job %s skipped: district %s is not active", spec.name, tenant_id)
            return None
    if spec.plugin is None:
        return await spec.function(ctx, tenant_id, **kwargs)
    from core.plugins import enablement, failures

    if tenant_id is not None and spec.plugin not in await enablement.enabled_in(tenant_id):
        log.info("job %s skipped: district %s has not enabled %s", spec.name, tenant_id, spec.plugin)
        return None
    try:
        return await spec.function(ctx, tenant_id, **kwargs)
    except Exception as error:
        await failures.record(tenant_id, spec.plugin, f"job {spec.name}", error)
        raise
    except asyncio.CancelledError:
        # Both runners stop a job at its timeout by cancelling it (a stopping worker does too):
        # a plugin's job that hangs is counted like one that raises; the runner still sees it.
        await failures.record(tenant_id, spec.plugin, f"job {spec.name}",
                              TimeoutError(f"stopped before it finished (its timeout is {spec.timeout} s)"))
        raise
