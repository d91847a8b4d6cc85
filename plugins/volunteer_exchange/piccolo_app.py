"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package so that
``gongzhi migrate`` finds them wherever the package is installed."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.volunteer_exchange.tables import (Activity, Adjustment, Attendance, Member, PointAccount, PointTransfer, Redemption,
                                               Reward, Service)

APP_CONFIG = AppConfig(
    app_name="volunteer_exchange",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[PointAccount, PointTransfer, Activity, Attendance, Service, Member, Reward, Redemption,
                   Adjustment],
    migration_dependencies=[],
    commands=[],
)
