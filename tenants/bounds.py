"""A district's bounds: the box (south, west, north, east, in degrees) that the coordinates
sent with feedback must fall in. A district without bounds takes any coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from core import forms
from core.forms import Form
from core.i18n import Message
from tenants.tables import Tenant

SIDES = ("south", "west", "north", "east")
_RANGES = {"south": 90, "north": 90, "west": 180, "east": 180}


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    def as_values(self) -> dict[str, str]:
        """The bounds as the settings form shows them."""
        return {side: f"{getattr(self, side):g}" for side in SIDES}


async def of(tenant_id: int) -> Bounds | None:
    """The district's bounds, or None when it has not set them."""
    row = await Tenant.select(Tenant.south, Tenant.west, Tenant.north, Tenant.east).where(
        Tenant.id == tenant_id).first()
    if row is None or any(row[side] is None for side in SIDES):
        return None
    return Bounds(**{side: row[side] for side in SIDES})


def clean(data: Mapping[str, Any]) -> Bounds | None:
    """Bounds from the settings form: all four sides, or none (no bounds); south below north,
    west of east. ValidationFailed names each bad side."""
    form = Form(data)
    sides = {side: form.field(side, forms.number, low=-_RANGES[side], high=_RANGES[side]) for side in SIDES}
    given = [side for side in SIDES if sides[side] is not None or side in form.errors]
    if given and len(given) < len(SIDES):
        for side in SIDES:
            if side not in given:
                form.error(side, Message("Give all four bounds, or none."))
    if not form.errors and given:
        if sides["south"] >= sides["north"]:
            form.error("north", Message("North must be greater than south."))
        if sides["west"] >= sides["east"]:
            form.error("east", Message("East must be greater than west."))
    form.raise_if_invalid()
    return Bounds(**sides) if given else None


async def save(tenant_id: int, bounds: Bounds | None) -> None:
    await Tenant.update({getattr(Tenant, side): getattr(bounds, side) if bounds else None for side in SIDES}).where(
        Tenant.id == tenant_id)
