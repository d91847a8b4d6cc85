"""Article 278's count, worked by hand: quorum at 2/3 of area and of owners; more than half,
or at least 3/4, of the participating area and owners to agree; one owner of several units
counted once; the developer's unsold units one owner. Each threshold is tried exactly at it
and one owner (or one hundredth of a m²) either side."""

from __future__ import annotations

from fractions import Fraction

import pytest

from plugins.red_property.votes import count, owners_of

# Nine owners of 100 m² each: 90000 hundredths of a m² in all.
NINE = {f"o{n}": 10000 for n in range(1, 10)}


def ballots(agree: int = 0, disagree: int = 0, abstain: int = 0, *, owners=NINE) -> dict[str, str]:
    keys = iter(owners)
    found = {}
    for choice, number in (("agree", agree), ("disagree", disagree), ("abstain", abstain)):
        for _ in range(number):
            found[next(keys)] = choice
    return found


@pytest.mark.parametrize(("taking_part", "quorum"), [(5, False), (6, True), (7, True)])
def test_quorum_is_two_thirds_of_area_and_of_owners(taking_part, quorum):
    # 6 of 9 is exactly 2/3 of owners and of area.
    tally = count("other", NINE, ballots(agree=taking_part))
    assert tally.quorum is quorum
    assert tally.outcome == ("passed" if quorum else "no_quorum")


def test_quorum_by_heads_but_not_by_area():
    # Six small owners of 10 m² and three large of 200 m²: 6 of 9 owners but 60 of 660 m².
    owners = {**{f"s{n}": 1000 for n in range(6)}, **{f"l{n}": 20000 for n in range(3)}}
    tally = count("other", owners, ballots(agree=6, owners=owners))
    assert (tally.owners, tally.total_owners, tally.area, tally.total_area) == (6, 9, 6000, 66000)
    assert not tally.quorum and tally.outcome == "no_quorum"


def test_quorum_by_area_but_not_by_heads():
    owners = {**{f"s{n}": 1000 for n in range(6)}, **{f"l{n}": 20000 for n in range(3)}}
    # The three large ones and two small: 62000 of 66000 m²·100, but 5 of 9 owners.
    tally = count("other", owners, {"l0": "agree", "l1": "agree", "l2": "agree", "s0": "agree", "s1": "agree"})
    assert 3 * tally.area >= 2 * tally.total_area and not tally.quorum


@pytest.mark.parametrize(("agree", "disagree", "passed"), [(4, 4, False), (5, 4, True), (4, 5, False)])
def test_an_ordinary_matter_needs_more_than_half_of_both(agree, disagree, passed):
    # Eight taking part: 4 agreeing is exactly half (not more); nine: 5 is more than half.
    tally = count("firm", NINE, ballots(agree=agree, disagree=disagree))
    assert tally.quorum
    assert tally.passed is passed


def test_an_abstention_takes_part_but_does_not_agree():
    # 9 take part: 4 agree, 1 disagrees, 4 abstain: 4/9 is not more than half.
    tally = count("use_funds", NINE, ballots(agree=4, disagree=1, abstain=4))
    assert tally.quorum and tally.owners == 9 and tally.agree_owners == 4
    assert tally.outcome == "rejected"
    assert tally.agree_owner_share == Fraction(4, 9)


@pytest.mark.parametrize(("agree", "passed"), [(5, False), (6, True), (7, True)])
def test_a_special_matter_needs_three_quarters_of_both(agree, passed):
    # Eight taking part: 6 of 8 is exactly 3/4; 5 of 8 is below.
    tally = count("raise_funds", NINE, ballots(agree=agree, disagree=8 - agree))
    assert tally.quorum and tally.owners == 8
    assert tally.passed is passed


def test_three_quarters_by_heads_but_not_by_area():
    # Eight owners: six of 50 m² agree, two of 200 m² disagree: 6/8 of heads, 300/700 of area.
    owners = {**{f"s{n}": 5000 for n in range(6)}, "l0": 20000, "l1": 20000}
    tally = count("rebuild", owners, {**{f"s{n}": "agree" for n in range(6)}, "l0": "disagree", "l1": "disagree"})
    assert tally.owner_majority and not tally.area_majority and tally.outcome == "rejected"
    assert tally.agree_area_share == Fraction(3, 7)


@pytest.mark.parametrize(("first", "last", "passed"), [(2500, 2500, True), (2499, 2501, False)])
def test_three_quarters_of_area_exactly_and_one_hundredth_short(first, last, passed):
    # Four owners; the three agreeing hold 7500 of 10000 hundredths of a m² (exactly 3/4), or 7499.
    owners = {"a": first, "b": 2500, "c": 2500, "d": last}
    tally = count("common_parts", owners, {"a": "agree", "b": "agree", "c": "agree", "d": "disagree"})
    assert tally.owner_majority, "3 of 4 heads"
    assert tally.area_majority is passed and tally.passed is passed


def test_one_owner_of_several_units_counts_once_with_the_areas_summed():
    units = [{"id": 1, "area_cm2": 8957, "developer_held": False},
             {"id": 2, "area_cm2": 12000, "developer_held": False},
             {"id": 3, "area_cm2": 9000, "developer_held": False}]
    owners = [{"unit": 1, "name": "王芳", "phone": "13800000001", "position": 0},
              {"unit": 1, "name": "李强", "phone": "13800000002", "position": 1},  # co-owner: the unit counts once
              {"unit": 2, "name": "王芳", "phone": "13800000001", "position": 0},
              {"unit": 3, "name": "张伟", "phone": "13800000003", "position": 0}]
    assert owners_of(units, owners) == {"phone:13800000001": 20957, "phone:13800000003": 9000}


def test_the_developers_unsold_units_are_one_owner():
    units = [{"id": n, "area_cm2": 10000, "developer_held": n > 2} for n in range(1, 7)]
    owners = [{"unit": 1, "name": "甲", "phone": "13800000001", "position": 0},
              {"unit": 2, "name": "乙", "phone": "13800000002", "position": 0}]
    areas = owners_of(units, owners)
    assert areas == {"phone:13800000001": 10000, "phone:13800000002": 10000, "developer": 40000}
    # Three owners; the two buyers are 2/3 of owners but 1/3 of area: no quorum without the developer.
    assert not count("other", areas, {"phone:13800000001": "agree", "phone:13800000002": "agree"}).quorum
    # With the developer: quorum, and the developer's area decides the area majority alone.
    with_developer = count("other", areas, {"phone:13800000001": "disagree", "phone:13800000002": "disagree",
                                            "developer": "agree"})
    assert with_developer.quorum and with_developer.area_majority and not with_developer.owner_majority


def test_a_ballot_of_someone_who_is_no_owner_counts_for_nothing():
    tally = count("other", NINE, {**ballots(agree=6), "stranger": "disagree"})
    assert (tally.owners, tally.agree_owners) == (6, 6)


def test_the_shares_are_exact_fractions():
    owners = {"a": 8957, "b": 12043, "c": 9000}
    tally = count("other", owners, {"a": "agree", "b": "agree"})
    assert tally.area_share == Fraction(21000, 30000) == Fraction(7, 10)
    assert tally.owner_share == Fraction(2, 3) and tally.quorum
