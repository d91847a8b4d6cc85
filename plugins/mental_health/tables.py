"""The plugin's tables. Each row belongs to one district (``TenantOwned``), so PostgreSQL's
Row Level Security keeps districts apart here exactly as in core's tables; every name
starts with the plugin's name. People are core's, referred to by id.

A screening's answers, score and band are health data: the table keeps them only sealed
with the person's data key (``plugin.seal``), never in clear; ``crisis`` is kept in clear
because it drives the referral. What the tables cannot say themselves is in the plugin's
second migration: one screening per form (a person's idempotency key), one referral per
screening.
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar

from core.sdk import N_, TenantOwned

LEVELS = {
    "community_station": N_("Community psychological service station"),
}
REFERRAL_STATES = {
    "sent": N_("Sent"),
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


class Referral(TenantOwned, tablename="mental_health_referral"):
    """A resident's case sent to a level of the referral network; urgent for a crisis."""

    person_id = Integer(index=True)
    screening = ForeignKey(references=Screening, index=True)
    level = Varchar(length=32, default="community_station")
    state = Varchar(length=16, default="sent")
    urgent = Boolean(default=False)
    created_at = Timestamptz()
    acknowledge_due = Timestamptz(null=True, default=None)
