"""Core's Piccolo app: its tables and the folder of its migrations."""

from piccolo.conf.apps import AppConfig

from core.config import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "core"),
    table_classes=[],
    migration_dependencies=[],
    commands=[],
)
