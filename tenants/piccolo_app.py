"""The tenants Piccolo app: districts and organisation units."""

from piccolo.conf.apps import AppConfig

from core.config import PROJECT_ROOT
from tenants.tables import Community, Department, Grid, Street, Tenant

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "tenants"),
    table_classes=[Tenant, Street, Community, Grid, Department],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
