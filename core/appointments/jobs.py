"""The appointment jobs: the reminder the day before."""

from __future__ import annotations

from core.appointments import services
from core.jobs.registry import LONG, cron


@cron("appointments_remind", timeout=300, queue=LONG, minute=5)
async def appointments_remind(ctx, tenant_id: int) -> int:
    """Every hour, per district: remind each person booked in a slot that starts within the
    next 24 hours (once per booking)."""
    return await services.send_reminders(ctx.scope(tenant_id))
