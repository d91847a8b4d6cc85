"""A person's appointments in their data download. Erasing them needs nothing here: a booking
holds only the person's id, and the slot is the district's."""

from __future__ import annotations

from typing import Any

from core import platform_scope
from core.hookspecs import hookimpl


@hookimpl
async def export_personal_data(person_id: int) -> dict[str, Any] | None:
    rows = await platform_scope.person_bookings(person_id)
    return {"appointments": [{
        "tenant_id": row["tenant_id"], "kind": row["slot.kind"], "title": row["slot.title"],
        "place": row["slot.place"], "starts_at": row["slot.starts_at"], "booked_at": row["created_at"],
        "cancelled_at": row["cancelled_at"]} for row in rows]} if rows else None
