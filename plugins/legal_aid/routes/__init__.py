"""The plugin's pages, mounted by the platform under ``/t/{slug}/p/legal_aid/``. Every page
is private (``no-store``, never cached by the service worker); the platform answers 404 for
them in a district that has not enabled the plugin."""

from __future__ import annotations

from plugins.legal_aid.routes.console import ConsolePages
from plugins.legal_aid.routes.manage import ManagePages
from plugins.legal_aid.routes.resident import ResidentPages

PAGES = [ResidentPages, ConsolePages, ManagePages]
