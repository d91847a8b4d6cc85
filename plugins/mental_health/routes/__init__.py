"""The plugin's pages, mounted by the platform under ``/t/{slug}/p/mental_health/``, one
module per part of the service. Every page is private; the platform answers 404 for them in
a district that has not enabled the plugin."""

from __future__ import annotations

from plugins.mental_health.routes.articles import ArticlePages
from plugins.mental_health.routes.care import AppointmentPages, CarePages
from plugins.mental_health.routes.console import ConsolePages
from plugins.mental_health.routes.directory import DirectoryConsolePages, DirectoryPages
from plugins.mental_health.routes.figures import FigurePages
from plugins.mental_health.routes.helpers import HelperConsolePages, HelperPages
from plugins.mental_health.routes.resident import ResidentPages

PAGES = [ResidentPages, ConsolePages, CarePages, AppointmentPages, ArticlePages, FigurePages,
         DirectoryPages, DirectoryConsolePages, HelperConsolePages, HelperPages]
