"""Piccolo's configuration: the engine from the settings, and every app with tables."""

from piccolo.conf.apps import AppRegistry

from core.config import Settings
from core.db import build_engine

DB_URL = Settings.from_env().database_url
DB = build_engine(DB_URL)

APP_REGISTRY = AppRegistry(apps=["core.piccolo_app", "tenants.piccolo_app"])
