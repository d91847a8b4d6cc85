"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package so that
``gongzhi migrate`` finds them wherever the package is installed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.mental_health.tables import Consent, Referral, Screening

APP_CONFIG = AppConfig(
    app_name="mental_health",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Consent, Screening, Referral],
    migration_dependencies=[],
    commands=[],
)
