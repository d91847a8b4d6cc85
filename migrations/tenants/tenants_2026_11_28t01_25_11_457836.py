from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T01:25:11:457836"
VERSION = "1.38.0"
DESCRIPTION = "TOTP and recovery codes; districts may require TOTP for staff"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tenants", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Tenant",
        tablename="tenants_tenant",
        column_name="require_staff_totp",
        db_column_name="require_staff_totp",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
