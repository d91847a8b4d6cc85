"""The plugin's pages, under ``/t/{slug}/p/red_property/``: an owner's home and votes, and the
district's console of compounds, firms and votes."""

from __future__ import annotations

from plugins.red_property.routes.common import MANAGERS
from plugins.red_property.routes.console import ConsolePages
from plugins.red_property.routes.owner import OwnerPages

PAGES = [OwnerPages, ConsolePages]

__all__ = ["MANAGERS", "PAGES"]
