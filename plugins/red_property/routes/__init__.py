"""The plugin's pages, under ``/t/{slug}/p/red_property/``: an owner's home, votes, repairs and bills,
the firm's repairs, the firms' ratings, and the district's console of compounds, firms, votes and fees."""

from __future__ import annotations

from plugins.red_property.routes.bills import BillPages, FeeConsolePages, ProviderPages
from plugins.red_property.routes.common import MANAGERS
from plugins.red_property.routes.console import ConsolePages
from plugins.red_property.routes.firm import FirmPages
from plugins.red_property.routes.owner import OwnerPages
from plugins.red_property.routes.ratings import RatingPages

PAGES = [OwnerPages, ConsolePages, FirmPages, FeeConsolePages, BillPages, ProviderPages, RatingPages]

__all__ = ["MANAGERS", "PAGES"]
