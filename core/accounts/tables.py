"""People (platform-wide), their platform roles, memberships in districts, and sessions."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tenancy import TenantOwned


class Person(Table, tablename="accounts_person"):
    """One person, one account, across every district."""

    display_name = Varchar(length=50)
    phone = Varchar(length=20, null=True, default=None, unique=True, help_text="Mainland mobile, 11 digits")
    email = Varchar(length=254, null=True, default=None, unique=True, help_text="Lower-cased")
    password_hash = Varchar(length=255, null=True, default=None, help_text="argon2id")
    language = Varchar(length=8, default="", help_text="Chosen UI language; empty follows the browser")
    elderly_mode = Boolean(default=False)
    totp_secret = Text(null=True, default=None, help_text="Encrypted TOTP secret; empty when TOTP is off")
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = Integer(default=0, help_text="The last accepted time step: a code works once")
    created_at = Timestamptz()


class PlatformRole(Table, tablename="accounts_platform_role"):
    """A role the person holds on the platform itself (platform admin, publisher)."""

    person = ForeignKey(references=Person, index=True, on_delete=OnDelete.cascade)
    role = Varchar(length=64)


class Membership(TenantOwned, tablename="accounts_membership"):
    """A person's place in one district, optionally scoped to an organisation unit."""

    person = ForeignKey(references=Person, index=True)
    unit_kind = Varchar(length=32, default="", help_text="street, community, grid, department, or a plugin's")
    unit_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class MembershipRole(TenantOwned, tablename="accounts_membership_role"):
    """One role of a membership (a membership can hold several)."""

    membership = ForeignKey(references=Membership, index=True, on_delete=OnDelete.cascade)
    role = Varchar(length=64)


class Session(Table, tablename="accounts_session"):
    """A signed-in browser. Only a hash of the cookie's token is kept."""

    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(references=Person, index=True, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    idle_seconds = Integer(default=1800, help_text="Ends after this long unused (staff shorter)")
    user_agent = Varchar(length=255, default="")
    client_address = Varchar(length=64, default="")


class OneTimeCode(Table, tablename="accounts_one_time_code"):
    """A six-digit code sent to a phone or an email address; only its keyed hash is kept."""

    purpose = Varchar(length=32, help_text="register, login, reset")
    target = Varchar(length=254, index=True, help_text="The normalised phone number or email")
    code_hash = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)


class ApiCredential(Table, tablename="accounts_api_credential"):
    """A credential for the JSON API, of one of three kinds:

    * ``person``: a person's token for one district, with scopes;
    * ``publisher``: a marketplace publisher's platform token (no district);
    * ``client``: a named client's key issued by a district (an Open311 client, say).

    Shown once when made; only a hash is kept; revocable; last use recorded.
    """

    kind = Varchar(length=16)
    tenant_id = Integer(null=True, default=None, index=True)
    person_id = Integer(null=True, default=None, index=True, help_text="Owner (person, publisher) or issuer (client)")
    name = Varchar(length=80)
    scopes = Varchar(length=500, default="", help_text="Space-separated")
    prefix = Varchar(length=16, help_text="The token's first characters, to tell tokens apart")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(TenantOwned, tablename="accounts_invitation"):
    """A district admin's invitation to a person (by phone or email) to hold roles here.

    The secret works both as the last part of the link and as a code to type; only its hash
    is kept. It expires, can be revoked, and is used once.
    """

    target_kind = Varchar(length=8, help_text="phone or email")
    target = Varchar(length=254, index=True)
    display_name = Varchar(length=50, default="")
    roles = Varchar(length=500, help_text="Space-separated role names")
    unit_kind = Varchar(length=32, default="")
    unit_id = Integer(null=True, default=None)
    secret_hash = Varchar(length=64, unique=True)
    invited_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = Integer(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table, tablename="accounts_recovery_code"):
    """A one-use code that stands in for TOTP when the phone is lost."""

    person = ForeignKey(references=Person, index=True, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)
