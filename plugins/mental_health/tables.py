"""The plugin's tables. Each row belongs to one district (``TenantOwned``), so PostgreSQL's
Row Level Security keeps districts apart here exactly as in core's tables; every name
starts with the plugin's name. People are core's, referred to by id.

Health data (a screening's answers, score and band; a counsellor's session notes; the
summary a resident agreed to share with a referral) is kept only sealed with the person's
data key (``plugin.seal``), never in clear. What stays in clear is what the service runs on:
when something happened, ``crisis`` (it drives the crisis route), a referral's level and state.
What the tables cannot say themselves is in the plugin's raw-SQL migrations: one screening
per form, one crisis referral per screening, one current counsellor per resident, one helper
record per person.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar

from core.sdk import N_, TenantOwned

# The four levels of the referral network, from the community up.
LEVELS = {
    "community_station": N_("Community psychological service station"),
    "health_centre": N_("Community health service centre"),
    "district_institution": N_("District mental-health institution"),
    "city_hospital": N_("City hospital"),
}
LEVEL_ORDER = tuple(LEVELS)
REFERRAL_STATES = {
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "seen": N_("Seen"),
    "closed": N_("Closed"),
}
REFERRAL_SOURCES = {
    "crisis": N_("Crisis route"),
    "counsellor": N_("Counsellor"),
    "helper": N_("Community helper"),
}
HELPER_KINDS = {
    "grid_worker": N_("Grid worker"),
    "mediator": N_("Mediator"),
    "volunteer": N_("Volunteer"),
    "other": N_("Other"),
}


class Consent(TenantOwned, tablename="mental_health_consent"):
    """A resident's separate consent (单独同意) to one version of the consent text; withdrawn
    when ``withdrawn_at`` is set. A resident under 14 consents with a guardian."""

    person_id = Integer(index=True)
    version = Varchar(length=16)
    given_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)
    guardian_name = Varchar(length=64, default="", help_text="Only for a resident under 14")
    guardian_relation = Varchar(length=32, default="")


class Screening(TenantOwned, tablename="mental_health_screening"):
    """One questionnaire a resident filled in; its answers, score and band are sealed."""

    person_id = Integer(index=True)
    instrument = Varchar(length=8, help_text="phq9 or gad7")
    idempotency_key = Varchar(length=64, help_text="The form's key: sent twice, one screening")
    sealed = Text(default="", help_text="Answers, score and band as JSON, sealed with the person's data key")
    crisis = Boolean(default=False, help_text="The crisis route started (drives the referral)")
    created_at = Timestamptz()


class ServicePoint(TenantOwned, tablename="mental_health_service_point"):
    """A place of the referral network at one of the four levels (the fields after Open
    Referral's HSDS: a service at a location, with contacts and hours)."""

    level = Varchar(length=32, index=True)
    name = Varchar(length=120)
    organization = Varchar(length=120, default="", help_text="The organisation that runs it")
    description = Text(default="")
    address = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=120, default="")
    url = Varchar(length=200, default="")
    hours = Varchar(length=200, default="", help_text="Opening hours as people read them")
    languages = Varchar(length=80, default="")
    community_id = Integer(null=True, default=None, help_text="The community it serves; none: the district")
    active = Boolean(default=True)
    updated_at = Timestamptz()


class Referral(TenantOwned, tablename="mental_health_referral"):
    """A resident's case sent to a level of the referral network: urgent for a crisis. Its
    state moves sent → accepted → seen → closed, each step due by ``due_at``; an overdue
    step escalates (``escalations`` counts how often)."""

    person_id = Integer(index=True)
    screening = ForeignKey(references=Screening, null=True, default=None, index=True)
    source = Varchar(length=16, default="crisis")
    referred_by = Integer(null=True, default=None, help_text="The counsellor or helper who referred")
    previous = Integer(null=True, default=None, help_text="The referral this one moves up or down from")
    from_level = Varchar(length=32, default="")
    level = Varchar(length=32, default="community_station")
    service_point = ForeignKey(references=ServicePoint, null=True, default=None)
    summary_sealed = Text(default="", help_text="What the resident agreed to share, sealed with their key")
    state = Varchar(length=16, default="sent", index=True)
    urgent = Boolean(default=False)
    created_at = Timestamptz()
    acknowledge_due = Timestamptz(null=True, default=None, help_text="An urgent referral's first deadline")
    due_at = Timestamptz(null=True, default=None, index=True, help_text="When the current state's step is due")
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = Integer(null=True, default=None)
    seen_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=200, default="")
    escalations = Integer(default=0)
    escalated_at = Timestamptz(null=True, default=None)


class Assignment(TenantOwned, tablename="mental_health_assignment"):
    """A resident's counsellor: the one who may read their results and notes while it lasts."""

    person_id = Integer(index=True)
    counsellor_id = Integer(index=True)
    assigned_by = Integer(null=True, default=None)
    assigned_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class Duty(TenantOwned, tablename="mental_health_duty"):
    """A counsellor on duty: told first of an urgent referral."""

    counsellor_id = Integer(index=True)
    since = Timestamptz()
    until = Timestamptz(null=True, default=None)


class Note(TenantOwned, tablename="mental_health_note"):
    """A counsellor's note of a session with a resident, sealed with the resident's key."""

    person_id = Integer(index=True)
    counsellor_id = Integer()
    sealed = Text(default="")
    created_at = Timestamptz()


class BreakGlass(TenantOwned, tablename="mental_health_break_glass"):
    """A supervisor's emergency access to one resident's records: a written reason, for a
    limited time, audited, and shown to the resident."""

    supervisor_id = Integer(index=True)
    person_id = Integer(index=True)
    reason = Text()
    opened_at = Timestamptz()
    expires_at = Timestamptz()


class Helper(TenantOwned, tablename="mental_health_helper"):
    """A trained community helper (心理援助员): refers residents, never sees a score."""

    person_id = Integer(index=True)
    kind = Varchar(length=16, default="grid_worker")
    organization = Varchar(length=120, default="")
    registered_at = Timestamptz()
    registered_by = Integer(null=True, default=None)
    active = Boolean(default=True)


class Training(TenantOwned, tablename="mental_health_training"):
    """A course a helper completed."""

    helper = ForeignKey(references=Helper, index=True)
    course = Varchar(length=120)
    provider = Varchar(length=120, default="")
    completed_on = Date()
    hours = Integer(default=0)
    certificate = Varchar(length=64, default="")
