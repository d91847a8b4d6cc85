"""One appointment slot per kind, host and start time (so a weekly schedule made twice makes
no duplicates; a slot without a host counts as host 0), and one live booking per person and
slot.

Raw SQL runs before a migration's table operations in Piccolo, so this is a migration of
its own, after the one that adds the tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T17:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one appointment slot per kind, host and start; one live booking per person and slot"


class AppointmentSlot(Table, tablename="core_appointment_slot"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def indexes():
        for statement in (
            "CREATE UNIQUE INDEX core_appointment_slot_once ON core_appointment_slot "
            "(tenant_id, kind, COALESCE(host, 0), starts_at)",
            "CREATE UNIQUE INDEX core_appointment_booking_live ON core_appointment_booking (slot, person) "
            "WHERE cancelled_at IS NULL",
        ):
            await AppointmentSlot.raw(statement)

    manager.add_raw(indexes)
    return manager
