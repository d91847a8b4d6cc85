"""The plugin's pages, under ``/t/{slug}/p/red_property/``: an owner's home, votes, repairs and bills,
the firm's repairs, the firms' ratings, joint meetings, and the district's console of compounds, firms,
votes, fees and meetings."""

from __future__ import annotations

from plugins.red_property.routes.bills import BillPages, FeeConsolePages, ProviderPages
from plugins.red_property.routes.common import MANAGERS
from plugins.red_property.routes.console import ConsolePages
from plugins.red_property.routes.firm import FirmPages
from plugins.red_property.routes.meetings import MeetingConsolePages, MeetingPages
from plugins.red_property.routes.owner import OwnerPages
from plugins.red_property.routes.ratings import RatingPages

PAGES = [OwnerPages, ConsolePages, FirmPages, FeeConsolePages, BillPages, ProviderPages, RatingPages,
         MeetingConsolePages, MeetingPages]

__all__ = ["MANAGERS", "PAGES"]
