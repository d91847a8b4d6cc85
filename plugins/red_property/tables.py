"""The plugin's tables, each row one district's; every name starts with the plugin's name.

Areas are kept exactly, in hundredths of a square metre (``area_cm2``: 89.57 m² is 8957), so
that a vote's tally is a sum of whole numbers and its thresholds are compared as fractions.
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from core.sdk import LedgerAccount, LedgerTransfer, TenantOwned


class Firm(TenantOwned, tablename="red_property_firm"):
    """A property-management firm: the responsible party for the compounds it serves."""

    name = Varchar(length=100)
    credit_code = Varchar(length=18, help_text="统一社会信用代码")
    contact = Varchar(length=64, default="")
    phone = Varchar(length=40, default="")
    party_organisation = Boolean(default=False, help_text="The firm has a party organisation")
    active = Boolean(default=True)


class Compound(TenantOwned, tablename="red_property_compound"):
    """A residential compound (小区) in a community, served by one firm at a time."""

    name = Varchar(length=100)
    community_id = Integer(index=True)
    address = Varchar(length=200, default="")
    developer = Varchar(length=100, default="", help_text="The developer, who holds the unsold units")
    firm = ForeignKey(references=Firm, null=True, default=None)


class Building(TenantOwned, tablename="red_property_building"):
    compound = ForeignKey(references=Compound, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=40)


class Unit(TenantOwned, tablename="red_property_unit"):
    """An exclusive unit (专有部分) with its registered floor area; ``developer_held`` for the
    developer's unsold or undelivered units."""

    compound = ForeignKey(references=Compound, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade)
    number = Varchar(length=40, help_text="e.g. 2-501 (entrance and room)")
    area_cm2 = Integer(help_text="Exclusive floor area in hundredths of a m²")
    developer_held = Boolean(default=False)


class Owner(TenantOwned, tablename="red_property_owner"):
    """An owner of a unit as registered; the first of a unit's owners counts it in a vote
    (a unit counts once however many own it). ``person_id`` once they are a member."""

    unit = ForeignKey(references=Unit, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=64)
    phone = Varchar(length=20, default="")
    person_id = Integer(null=True, default=None, index=True)
    position = Integer(default=0)


class Vote(TenantOwned, tablename="red_property_vote"):
    """An owners' vote (议事投票) in one compound."""

    compound = ForeignKey(references=Compound, index=True)
    matter = Text()
    kind = Varchar(length=24, help_text="One of votes.KINDS")
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    secret = Boolean(default=False)
    created_by = Integer()
    created_at = Timestamptz()


class Ballot(TenantOwned, tablename="red_property_ballot"):
    """One owner's ballot (one per owner and vote: a unique index); entered by staff from a
    paper ballot with a note, or cast by the owner."""

    vote = ForeignKey(references=Vote, on_delete=OnDelete.cascade, index=True)
    owner_key = Varchar(length=40, help_text="Whom the ballot counts for: phone:…, name:…, or developer")
    choice = Varchar(length=8, help_text="agree, disagree or abstain")
    cast_by = Integer(help_text="The person who cast or entered it")
    paper = Boolean(default=False)
    note = Text(default="")
    cast_at = Timestamptz()


# Fees ---------------------------------------------------------------------------------


class FeeSchedule(TenantOwned, tablename="red_property_fee_schedule"):
    """A compound's fees (one schedule per compound): the property fee per m² of exclusive
    area per month, and items every household pays each month (one per line of ``items``:
    ``name<TAB>fen``)."""

    compound = ForeignKey(references=Compound, on_delete=OnDelete.cascade, index=True)
    rate_fen = Integer(help_text="Property fee in fen per m² per month (1.80 元 is 180)")
    items = Text(default="", help_text="Per-household monthly items, one per line: name, a tab, fen")
    due_days = Integer(default=30, help_text="Days after the bill is issued by which it is due")
    updated_by = Integer()
    updated_at = Timestamptz()


class Bill(TenantOwned, tablename="red_property_bill"):
    """One household's (unit's) bill for one month: one per unit and period (a unique index).
    Its amount is on the ledger as a transfer from the household's account to the compound's
    income; payments and reductions reference it there (``bill:<id>``)."""

    compound = ForeignKey(references=Compound, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(references=Unit, on_delete=OnDelete.cascade, index=True)
    period = Varchar(length=7, help_text="The month billed, YYYY-MM")
    amount_fen = Integer()
    lines = Text(help_text="JSON: [[what, fen], …], what the amount is made of")
    issued_at = Timestamptz()
    due_at = Timestamptz()


class Payment(TenantOwned, tablename="red_property_payment"):
    """A payment of a bill, and its receipt (收据): recorded by staff (cash, bank transfer) or
    by a payment provider's notification. ``ledger_key`` is its transfer's idempotency key
    (unique), so a form sent twice or a notification delivered twice is one payment."""

    bill = ForeignKey(references=Bill, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(references=Unit, on_delete=OnDelete.cascade, index=True)
    amount_fen = Integer()
    method = Varchar(length=40, help_text="cash, bank, or provider:<name>")
    reference = Varchar(length=80, default="", help_text="The bank's or provider's transaction number")
    note = Text(default="")
    ledger_key = Varchar(length=160)
    receipt_no = Varchar(length=32, default="")
    recorded_by = Integer(null=True, default=None, help_text="The staff member who recorded it, if one did")
    paid_at = Timestamptz()


class PaymentOrder(TenantOwned, tablename="red_property_payment_order"):
    """A resident's online payment started with a provider: pending until the provider's
    notification says it was paid (or it is abandoned)."""

    order_no = Varchar(length=40, help_text="Our number for it, sent to the provider (unique)")
    bill = ForeignKey(references=Bill, on_delete=OnDelete.cascade, index=True)
    provider = Varchar(length=40)
    amount_fen = Integer()
    person_id = Integer(help_text="Who started it")
    created_at = Timestamptz()
    paid_at = Timestamptz(null=True, default=None)
    payment = Integer(null=True, default=None, help_text="red_property_payment.id once paid")


class Account(LedgerAccount, TenantOwned, tablename="red_property_account"):
    """The fee ledger's accounts: ``household:<unit>`` (below zero: it owes), ``income:<compound>``
    and clearing accounts for money received, ``received:<method>:<compound>``."""


class Transfer(LedgerTransfer, TenantOwned, tablename="red_property_transfer"):
    """The fee ledger's transfers: bills, payments and reductions."""


# Ratings ------------------------------------------------------------------------------


class Rating(TenantOwned, tablename="red_property_rating"):
    """A firm's rating for one month (评星定级), made by the monthly job from measured facts:
    one per firm and month (a unique index). ``figures`` keeps every fact, its weight and the
    points it gave, so the page shows how the rating was reached."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    period = Varchar(length=7, help_text="The month rated, YYYY-MM")
    score = Integer(help_text="Out of 1000 (tenths of a point out of 100)")
    stars = Integer(help_text="1–5")
    listed = Varchar(length=8, default="", help_text="red (红榜), black (黑榜) or empty")
    figures = Text(help_text="JSON: the facts, each with its numerator, denominator, weight and points")
    rated_at = Timestamptz()


class Appeal(TenantOwned, tablename="red_property_appeal"):
    """A firm's appeal of its rating, with the district's answer."""

    rating = ForeignKey(references=Rating, on_delete=OnDelete.cascade, index=True)
    note = Text()
    made_by = Integer()
    made_at = Timestamptz()
    answer = Text(default="")
    answered_by = Integer(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)


class OnDuty(TenantOwned, tablename="red_property_on_duty"):
    """A member of a firm's staff on duty for emergencies (one row per firm and person: a
    unique index); an emergency tells them, or the whole staff when nobody is on duty."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    person_id = Integer(index=True)
    since = Timestamptz()


# Joint meetings -----------------------------------------------------------------------


class Meeting(TenantOwned, tablename="red_property_meeting"):
    """A tripartite joint meeting (三方联席会) of a compound: the community's party
    organisation, the owners' committee and the firm."""

    compound = ForeignKey(references=Compound, on_delete=OnDelete.cascade, index=True)
    held_at = Timestamptz()
    place = Varchar(length=200, default="")
    attendees = Text(default="", help_text="Who came, for each of the three sides")
    notes = Text(default="", help_text="The discussion, as minuted")
    created_by = Integer()
    created_at = Timestamptz()


class AgendaItem(TenantOwned, tablename="red_property_agenda_item"):
    """A matter on a meeting's agenda, drawn from residents' feedback items (or raised there)."""

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    feedback_id = Integer(null=True, default=None, help_text="The residents' item it comes from, if one")


class Decision(TenantOwned, tablename="red_property_decision"):
    """What a meeting decided on a matter, decided collectively."""

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.cascade, index=True)
    agenda_item = Integer(null=True, default=None)
    text = Text()
    decided_by = Integer()
    decided_at = Timestamptz()


class ActionItem(TenantOwned, tablename="red_property_action_item"):
    """Something a decision gives one side to do by a date, tracked as a feedback item."""

    decision = ForeignKey(references=Decision, on_delete=OnDelete.cascade, index=True)
    owner = Varchar(length=24, help_text="firm, community or owners_committee")
    feedback_id = Integer(index=True)
    due_at = Timestamptz()


class Evaluation(TenantOwned, tablename="red_property_evaluation"):
    """An owner's evaluation of how a decision turned out (one per owner and decision)."""

    decision = ForeignKey(references=Decision, on_delete=OnDelete.cascade, index=True)
    person_id = Integer()
    score = Integer(help_text="1–5")
    comment = Text(default="")
    made_at = Timestamptz()


class Routed(TenantOwned, tablename="red_property_routed"):
    """A feedback item as it was given to a firm (one row per item: a unique index): the firm
    and the deadline it had then, which the rating measures even after the item has climbed
    to the community or had its deadline restarted."""

    feedback_id = Integer()
    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    category = Varchar(length=40)
    resolve_due = Timestamptz()
    created_at = Timestamptz(help_text="When the item was made")
