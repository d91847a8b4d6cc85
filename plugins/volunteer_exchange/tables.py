"""The plugin's tables. The points ledger is province-wide (the manifest's
``province_tables``): a volunteer's points follow them across districts, so its rows belong to
a province, not to a district, and only the plugin's named platform operations read or write
them. Every name starts with the plugin's name."""

from __future__ import annotations

from piccolo.columns import Integer, Varchar

from core.sdk import LedgerAccount, LedgerTransfer


class PointAccount(LedgerAccount, tablename="volunteer_exchange_account"):
    """A points account in a province's book: a volunteer's points from one district
    (``volunteer:<person>:<district>``), or a district's issuance, rewards or clearing account.
    Keys start with the province."""

    province = Varchar(length=50, index=True)
    district_id = Integer(help_text="The district the account is of (for a volunteer's: where the points were earned)")
    person_id = Integer(null=True, default=None, index=True, help_text="The volunteer, for a volunteer's account")


class PointTransfer(LedgerTransfer, tablename="volunteer_exchange_transfer"):
    """A movement of points in a province's book."""

    province = Varchar(length=50, index=True)
    district_id = Integer(index=True, help_text="The district where it happened")
