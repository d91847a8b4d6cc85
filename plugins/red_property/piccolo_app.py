"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.red_property.tables import Ballot, Building, Compound, Firm, Owner, Unit, Vote

APP_CONFIG = AppConfig(
    app_name="red_property",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Firm, Compound, Building, Unit, Owner, Vote, Ballot],
    migration_dependencies=[],
    commands=[],
)
