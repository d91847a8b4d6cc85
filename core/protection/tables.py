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
    master_key_id = Varchar(length=16, default="",
                            help_text="The id of the master key that wrapped it (empty: wrapped before ids were kept)")
    created_at = Timestamptz()
    rewrapped_at = Timestamptz(null=True, default=None, help_text="When a master key rotation last wrapped it again")


class PersonKey(TenantOwned, tablename="core_person_key"):
    """A person's data key in one district, wrapped by the district's key. Erasing the
    person empties ``wrapped_key``: what it encrypted can no longer be read by anyone."""

    person_id = Integer(index=True)
    wrapped_key = Text(default="")
    created_at = Timestamptz()
    destroyed_at = Timestamptz(null=True, default=None)


class RetentionRule(TenantOwned, tablename="core_retention_rule"):
    """How long a district keeps one kind of sensitive data before its sealed values are erased
    (no row: the kind's default). One row per district and kind."""

    kind = Varchar(length=64, help_text="A registered kind of sensitive data, e.g. feedback_private")
    days = Integer(help_text="Days after which the kind's sealed values are erased; 0: kept until the person is")
    changed_at = Timestamptz()
    changed_by = Integer(null=True, default=None)
