"""Role names. Roles are namespaced strings: core's have no prefix, a plugin's carry its
name (``legal_aid.adviser``). Platform roles belong to the person; the others to a
membership in one district."""

from __future__ import annotations

from core.i18n import N_

PLATFORM_ADMIN = "platform_admin"
PUBLISHER = "publisher"
PLATFORM_ROLES = {PLATFORM_ADMIN: N_("Platform admin"), PUBLISHER: N_("Marketplace publisher")}

DISTRICT_ADMIN = "district_admin"
STAFF = "staff"
GRID_WORKER = "grid_worker"
DEPARTMENT_STAFF = "department_staff"
RESIDENT = "resident"

TENANT_ROLES = {
    DISTRICT_ADMIN: N_("District admin"),
    STAFF: N_("Community staff"),
    GRID_WORKER: N_("Grid worker"),
    DEPARTMENT_STAFF: N_("Department staff"),
    RESIDENT: N_("Resident"),
}

# Roles that open the district console.
CONSOLE_ROLES = {DISTRICT_ADMIN, STAFF, GRID_WORKER, DEPARTMENT_STAFF}
