"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package so that
``gongzhi migrate`` finds them wherever the package is installed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.legal_aid.tables import Adviser, Case, Consultation, Document, Guide, MediationSession, Office

APP_CONFIG = AppConfig(
    app_name="legal_aid",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Office, Adviser, Consultation, Document, Guide, Case, MediationSession],
    migration_dependencies=[],
    commands=[],
)
