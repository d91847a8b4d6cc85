"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package so that
``gongzhi migrate`` finds them wherever the package is installed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gongzhi_parking.tables import Allocation, Application, Space

APP_CONFIG = AppConfig(
    app_name="parking",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Space, Application, Allocation],
    migration_dependencies=[],
    commands=[],
)
