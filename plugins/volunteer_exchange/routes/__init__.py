"""The plugin's pages, under ``/t/{slug}/p/volunteer_exchange/``: a volunteer's points,
activities and rewards; the organiser's activities, rosters and check-in codes; the merchant's
check of codes; and the district's console of rewards, the exchange and its statements."""

from __future__ import annotations

from plugins.volunteer_exchange.routes.console import ConsolePages
from plugins.volunteer_exchange.routes.manage import ManagePages, MerchantPages
from plugins.volunteer_exchange.routes.resident import ResidentPages

PAGES = [ResidentPages, ManagePages, MerchantPages, ConsolePages]
