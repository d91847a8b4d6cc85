"""Districts (tenants) and their organisation units."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.i18n import N_
from core.tenancy import TenantOwned


class TenantStatus(str, Enum):
    pending = "pending"
    active = "active"
    rejected = "rejected"
    suspended = "suspended"


STATUS_LABELS = {
    TenantStatus.pending.value: N_("Pending"),
    TenantStatus.active.value: N_("Active"),
    TenantStatus.rejected.value: N_("Rejected"),
    TenantStatus.suspended.value: N_("Suspended"),
}


class Tenant(Table, tablename="tenants_tenant"):
    """A district (区): one tenant of the platform. Platform-level, not tenant-owned."""

    slug = Varchar(length=40, unique=True, help_text="Path segment: /t/{slug}/")
    name = Varchar(length=100, help_text="Official name, e.g. 秦都区")
    display_name = Varchar(length=100, help_text="Name shown to residents, e.g. 咸阳市秦都区")
    division_code = Varchar(length=6, index=True, help_text="Administrative division code, e.g. 610402")
    province = Varchar(length=50)
    city = Varchar(length=50)
    status = Varchar(length=16, default=TenantStatus.pending.value, index=True,
                     choices=TenantStatus)
    status_reason = Text(default="", help_text="Why it was rejected or suspended")
    theme_colour = Varchar(length=7, default="#c8102e")
    require_staff_totp = Boolean(default=False, help_text="Staff must use a second factor (TOTP)")
    notify_by_email = Boolean(default=True, help_text="Notifications may also go out by email")
    notify_by_sms = Boolean(default=True, help_text="Notifications may also go out by SMS (the district pays)")
    south = DoublePrecision(null=True, default=None, help_text="Bounds for coordinates sent with feedback")
    west = DoublePrecision(null=True, default=None)
    north = DoublePrecision(null=True, default=None)
    east = DoublePrecision(null=True, default=None)
    created_at = Timestamptz()
    status_changed_at = Timestamptz()
    plugins_revision = Integer(default=0, help_text="Raised whenever the district's plugins change")
    logo_key = Varchar(length=80, default="", help_text="Storage key of the logo the app's icons are made from")


class Street(TenantOwned, tablename="tenants_street"):
    """A street office (街道) of a district."""

    name = Varchar(length=100)


class Community(TenantOwned, tablename="tenants_community"):
    """A residents' community (社区) under a street."""

    street = ForeignKey(references=Street, index=True)
    name = Varchar(length=100)


class Grid(TenantOwned, tablename="tenants_grid"):
    """A grid (网格): the smallest unit, under a community."""

    community = ForeignKey(references=Community, index=True)
    name = Varchar(length=100)


class Department(TenantOwned, tablename="tenants_department"):
    """A functional department (部门) of a district."""

    name = Varchar(length=100)


ORG_UNIT_TABLES = {"street": Street, "community": Community, "grid": Grid, "department": Department}

__all__ = ["Tenant", "TenantStatus", "Street", "Community", "Grid", "Department", "ORG_UNIT_TABLES"]
