"""The key hierarchy's stored parts. No key is stored in the clear: a district's key is
wrapped by the master key (which lives in a file, never here); a person's data key in a
district is wrapped by that district's key."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from core.tenancy import TenantOwned


class DistrictKey(TenantOwned, tablename="core_district_key"):
    """A district's key, wrapped by the master key (one per district)."""

    algorithm = Varchar(length=16, help_text="aes-gcm or sm4-gcm")
    wrapped_key = Text()
    created_at = Timestamptz()


class PersonKey(TenantOwned, tablename="core_person_key"):
    """A person's data key in one district, wrapped by the district's key. Erasing the
    person empties ``wrapped_key``: what it encrypted can no longer be read by anyone."""

    person_id = Integer(index=True)
    wrapped_key = Text(default="")
    created_at = Timestamptz()
    destroyed_at = Timestamptz(null=True, default=None)
