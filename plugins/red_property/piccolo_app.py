"""The plugin's Piccolo app: its tables, and its migrations, kept inside the package."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.red_property.tables import (Account, ActionItem, AgendaItem, Appeal, Ballot, Bill, Building, Compound,
                                         Decision, Evaluation, FeeSchedule, Firm, Meeting, OnDuty, Owner, Payment,
                                         PaymentOrder, Rating, Routed, Transfer, Unit, Vote)

APP_CONFIG = AppConfig(
    app_name="red_property",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[Firm, Compound, Building, Unit, Owner, Vote, Ballot, FeeSchedule, Bill, Payment, PaymentOrder, Account,
                   Transfer, Rating, Appeal, OnDuty, Meeting, AgendaItem, Decision, ActionItem, Evaluation,
                   Routed],
    migration_dependencies=[],
    commands=[],
)
