"""The plugin's tables. Each row belongs to one district (``TenantOwned``); every name starts
with the plugin's name; people are core's, referred to by id.

What a resident tells an adviser is kept sealed with the resident's data key: the
consultation's description is the feedback item's (core seals a private category's text),
and the plugin seals the rest (the reason for the green channel, documents, a case's parties,
mediation notes and a department's answer). What stays in clear is what the service runs on:
the kind of matter, the community, who is assigned, when things happened, outcomes.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from core.sdk import TenantOwned


class Office(TenantOwned, tablename="legal_aid_office"):
    """A law office (律师事务所, 法律服务所, 人民调解委员会…): the responsible party a
    consultation from the communities it serves goes to."""

    name = Varchar(length=100)
    kind = Varchar(length=16, help_text="law_firm, legal_service or mediation")
    licence_number = Varchar(length=40, default="")
    phone = Varchar(length=40, default="")
    address = Varchar(length=200, default="")
    communities = Text(default="", help_text="Ids of the communities served, comma separated")
    active = Boolean(default=True)


class Adviser(TenantOwned, tablename="legal_aid_adviser"):
    """A rights adviser or a lawyer: their office, practice areas and communities."""

    person_id = Integer(index=True)
    kind = Varchar(length=16, help_text="adviser or lawyer")
    office = ForeignKey(references=Office, null=True, default=None)
    practice_areas = Text(default="", help_text="Kinds of matter, comma separated")
    licence_number = Varchar(length=40, default="")
    communities = Text(default="", help_text="Ids of the communities served, comma separated")
    active = Boolean(default=True)


class Consultation(TenantOwned, tablename="legal_aid_consultation"):
    """A resident's request for help: one feedback item of the category
    ``legal_aid_consultation`` (whose description core keeps sealed)."""

    item_id = Integer(help_text="feedback_item.id")
    person_id = Integer(index=True)
    matter = Varchar(length=16)
    community_id = Integer(null=True, default=None)
    office_id = Integer(null=True, default=None)
    adviser_id = Integer(null=True, default=None, index=True)
    assigned_at = Timestamptz(null=True, default=None)
    green = Varchar(length=16, default="", help_text="The green channel's ground, empty when not in it")
    green_reason = Text(default="", help_text="Sealed")
    green_by = Integer(null=True, default=None, help_text="Who flagged it: the resident or staff")
    gathered = Text(default="[]", help_text="The guide's materials the resident has, as JSON")
    created_at = Timestamptz()


class Document(TenantOwned, tablename="legal_aid_document"):
    """A file given with a consultation, or a mediation agreement; stored sealed."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    case_id = Integer(null=True, default=None)
    kind = Varchar(length=16, default="material", help_text="material or agreement")
    storage_key = Varchar(length=80)
    content_type = Varchar(length=40)
    size = Integer()
    uploaded_by = Integer()
    created_at = Timestamptz()


class Guide(TenantOwned, tablename="legal_aid_guide"):
    """The district's guide to one kind of matter (the built-in one until it is edited)."""

    matter = Varchar(length=16)
    title = Varchar(length=100)
    steps = Text()
    materials = Text(help_text="One per line")
    time_limits = Text(default="")
    where_to_go = Text(default="")
    updated_by = Integer()
    updated_at = Timestamptz()


class Case(TenantOwned, tablename="legal_aid_case"):
    """What a consultation became: a people's mediation (人民调解) or a referral to a
    department or to legal aid proper, tracked until it is answered."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16, help_text="mediation or referral")
    state = Varchar(length=16, default="open", help_text="open, agreement, no_agreement or answered")
    mediator_id = Integer(null=True, default=None)
    parties = Text(default="", help_text="Sealed: the other parties")
    department = Varchar(length=100, default="", help_text="Where a referral went")
    answer = Text(default="", help_text="Sealed: the department's answer")
    opened_by = Integer()
    opened_at = Timestamptz()
    concluded_at = Timestamptz(null=True, default=None)
    confirm_by = Date(null=True, default=None, help_text="The last day to apply for judicial confirmation")


class MediationSession(TenantOwned, tablename="legal_aid_session"):
    """One mediation session: when, where, and the mediator's note (sealed)."""

    case = ForeignKey(references=Case, on_delete=OnDelete.cascade, index=True)
    held_at = Timestamptz()
    place = Varchar(length=200, default="")
    note = Text(default="")
    recorded_by = Integer()
