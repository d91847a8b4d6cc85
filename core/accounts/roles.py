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


# Roles plugins add (``legal_aid.adviser``): name → (label in both languages, scope, plugin).
# The scope is "" (the whole district), an organisation unit kind, or one of the plugin's
# responsible-party types (the role then belongs to staff of one external organisation).
PLUGIN_ROLES: dict[str, tuple[object, str, str]] = {}


def register_plugin_role(name: str, label: object, scope: str, plugin: str) -> None:
    if name in TENANT_ROLES or (name in PLUGIN_ROLES and PLUGIN_ROLES[name][2] != plugin):
        raise ValueError(f"role {name!r} is declared twice")
    PLUGIN_ROLES[name] = (label, scope, plugin)


def unregister_plugin_roles(plugin: str) -> None:
    for name in [n for n, (_label, _scope, owner) in PLUGIN_ROLES.items() if owner == plugin]:
        del PLUGIN_ROLES[name]


def label_of(role: str) -> object:
    """A role's label (core's are catalogue ids, a plugin's a text in both languages)."""
    if role in TENANT_ROLES:
        return TENANT_ROLES[role]
    return PLUGIN_ROLES[role][0] if role in PLUGIN_ROLES else role
