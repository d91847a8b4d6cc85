"""The plugin's pages, under ``/t/{slug}/p/red_property/``: an owner's home, votes and repairs,
the firm's repairs, and the district's console of compounds, firms and votes."""

from __future__ import annotations

from plugins.red_property.routes.common import MANAGERS
from plugins.red_property.routes.console import ConsolePages
from plugins.red_property.routes.firm import FirmPages
from plugins.red_property.routes.owner import OwnerPages

PAGES = [OwnerPages, ConsolePages, FirmPages]

__all__ = ["MANAGERS", "PAGES"]
