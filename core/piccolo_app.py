"""Core's Piccolo app: its tables and the folder of its migrations."""

from piccolo.conf.apps import AppConfig

from core.accounts.tables import Membership, MembershipRole, Person, PlatformRole, Session
from core.config import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "core"),
    table_classes=[Person, PlatformRole, Membership, MembershipRole, Session],
    migration_dependencies=[],
    commands=[],
)
