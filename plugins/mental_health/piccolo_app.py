"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package so that
``gongzhi migrate`` finds them wherever the package is installed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.mental_health.tables import (
    Assignment, BreakGlass, Consent, Duty, Helper, Note, Referral, Screening, ServicePoint, Training,
)

APP_CONFIG = AppConfig(
    app_name="mental_health",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Consent, Screening, ServicePoint, Referral, Assignment, Duty, Note, BreakGlass, Helper, Training],
    migration_dependencies=[],
    commands=[],
)
