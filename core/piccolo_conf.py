"""Piccolo's configuration: the engine from the settings, and every app with tables."""

from piccolo.conf.apps import AppRegistry

from core.config import Settings
from core.db import build_engine

DB_URL = Settings.from_env().database_url
DB = build_engine(DB_URL)

def _plugin_apps() -> list[str]:
    from core.plugins.host import host

    return [app for plugin in host().plugins.values() for app in plugin.piccolo_apps]


APP_REGISTRY = AppRegistry(apps=["core.piccolo_app", "tenants.piccolo_app", *_plugin_apps()])
