"""Owners' votes (议事投票) by article 278 of the Civil Code.

Who counts: one owner per exclusive unit, however many own it (its first registered owner
speaks for it); one owner of several units counts once, with their areas summed; the
developer's unsold or undelivered units count as one owner (the Supreme People's Court's
interpretation on building ownership, arts. 8–9).

Quorum: owners holding at least 2/3 of the compound's exclusive area AND at least 2/3 of its
owners take part (cast a ballot, abstaining included). Raising maintenance funds, rebuilding
or reconstructing, and changing the use of common parts or using them for business need at
least 3/4 of the participating area AND at least 3/4 of the participating owners to agree;
every other matter needs more than half of both. Every comparison is of whole numbers (areas
are kept in hundredths of a m²), and the shares are shown as exact fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.sdk import N_

KINDS = {
    "rules": N_("Making or amending the owners' assembly rules or the management statute"),
    "committee": N_("Electing or replacing the owners' committee"),
    "firm": N_("Engaging or dismissing the property firm"),
    "use_funds": N_("Using the maintenance funds"),
    "raise_funds": N_("Raising maintenance funds"),
    "rebuild": N_("Rebuilding or reconstructing buildings or their facilities"),
    "common_parts": N_("Changing the use of common parts, or using them for business"),
    "other": N_("Another important matter of common ownership"),
}
# The matters that need three quarters of the participating area and owners to agree.
SPECIAL = frozenset({"raise_funds", "rebuild", "common_parts"})
CHOICES = {"agree": N_("Agree"), "disagree": N_("Disagree"), "abstain": N_("Abstain")}
DEVELOPER = "developer"


@dataclass(frozen=True)
class Tally:
    """A vote's count: the four figures (area and owners, of the compound and taking part),
    those who agreed, and what follows from them."""

    kind: str
    total_area: int
    total_owners: int
    area: int  # taking part
    owners: int
    agree_area: int
    agree_owners: int
    disagree_owners: int
    abstain_owners: int

    @property
    def special(self) -> bool:
        return self.kind in SPECIAL

    @property
    def area_share(self) -> Fraction:
        return Fraction(self.area, self.total_area) if self.total_area else Fraction(0)

    @property
    def owner_share(self) -> Fraction:
        return Fraction(self.owners, self.total_owners) if self.total_owners else Fraction(0)

    @property
    def quorum(self) -> bool:
        """At least 2/3 of the area and at least 2/3 of the owners took part."""
        return self.total_owners > 0 and 3 * self.area >= 2 * self.total_area and \
            3 * self.owners >= 2 * self.total_owners

    @property
    def agree_area_share(self) -> Fraction:
        return Fraction(self.agree_area, self.area) if self.area else Fraction(0)

    @property
    def agree_owner_share(self) -> Fraction:
        return Fraction(self.agree_owners, self.owners) if self.owners else Fraction(0)

    @property
    def area_majority(self) -> bool:
        if self.special:
            return self.area > 0 and 4 * self.agree_area >= 3 * self.area
        return 2 * self.agree_area > self.area

    @property
    def owner_majority(self) -> bool:
        if self.special:
            return self.owners > 0 and 4 * self.agree_owners >= 3 * self.owners
        return 2 * self.agree_owners > self.owners

    @property
    def passed(self) -> bool:
        return self.quorum and self.area_majority and self.owner_majority

    @property
    def outcome(self) -> str:
        """passed, rejected, or no_quorum."""
        if not self.quorum:
            return "no_quorum"
        return "passed" if self.area_majority and self.owner_majority else "rejected"


def count(kind: str, areas: dict[str, int], ballots: dict[str, str]) -> Tally:
    """The tally of ``ballots`` (owner key → choice) among the owners ``areas`` (owner key →
    their summed exclusive area in hundredths of a m²). Ballots of keys that are not owners
    count for nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of matter {kind!r}")
    taking_part = {key: choice for key, choice in ballots.items() if key in areas}
    agreeing = [key for key, choice in taking_part.items() if choice == "agree"]
    return Tally(kind=kind, total_area=sum(areas.values()), total_owners=len(areas),
                 area=sum(areas[key] for key in taking_part), owners=len(taking_part),
                 agree_area=sum(areas[key] for key in agreeing), agree_owners=len(agreeing),
                 disagree_owners=sum(1 for choice in taking_part.values() if choice == "disagree"),
                 abstain_owners=sum(1 for choice in taking_part.values() if choice == "abstain"))


def owner_key(developer_held: bool, first_owner: dict | None, unit_id: int) -> str:
    """Whom a unit counts for: the developer, or its first owner (by mobile number, else by
    name), or the unit itself while it has no owner registered."""
    if developer_held:
        return DEVELOPER
    if first_owner is None:
        return f"unit:{unit_id}"
    if first_owner.get("phone"):
        return f"phone:{first_owner['phone']}"
    return f"name:{first_owner['name']}"


def owners_of(units: list[dict], owners: list[dict]) -> dict[str, int]:
    """Owner key → summed area, from a compound's units (``id``, ``area_cm2``,
    ``developer_held``) and their owners (``unit``, ``name``, ``phone``, ``position``)."""
    first: dict[int, dict] = {}
    for row in sorted(owners, key=lambda row: (row["unit"], row["position"], row.get("id", 0))):
        first.setdefault(row["unit"], row)
    areas: dict[str, int] = {}
    for unit in units:
        key = owner_key(unit["developer_held"], first.get(unit["id"]), unit["id"])
        areas[key] = areas.get(key, 0) + unit["area_cm2"]
    return areas
