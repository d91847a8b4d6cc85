"""PHQ-9 and GAD-7 as published, scored exactly: every band boundary, the crisis item, and
answers that cannot be scored."""

from __future__ import annotations

import pytest

from plugins.mental_health.instruments import GAD7, INSTRUMENTS, PHQ9, AnswersRefused, parse, score


def _answers(instrument, total: int, *, crisis_item_answer: int = 0) -> tuple[int, ...]:
    """Answers adding up to ``total``, item 9 of PHQ-9 kept at ``crisis_item_answer``."""
    answers = [0] * len(instrument.items)
    if instrument.crisis_item:
        answers[instrument.crisis_item - 1] = crisis_item_answer
    remaining = total - sum(answers)
    for index in range(len(answers)):
        if instrument.crisis_item and index == instrument.crisis_item - 1:
            continue
        step = min(3, remaining)
        answers[index] += step
        remaining -= step
    assert remaining == 0 and sum(answers) == total
    return tuple(answers)


def test_the_questionnaires_are_the_published_ones():
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert PHQ9.maximum == 27 and GAD7.maximum == 21
    for instrument in INSTRUMENTS.values():
        assert [option["en"] for option in instrument.options] == [
            "Not at all", "Several days", "More than half the days", "Nearly every day"]
        assert "2 weeks" in instrument.frame["en"] and "两周" in instrument.frame["zh-Hans"]
        assert all(item["zh-Hans"] and item["en"] for item in instrument.items)
    assert PHQ9.items[8]["en"] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert GAD7.items[0]["en"] == "Feeling nervous, anxious, or on edge"


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (24, "severe")])
def test_phq9_bands_at_every_boundary(total, band):
    result = score(PHQ9, _answers(PHQ9, total))
    assert (result.score, result.band) == (total, band)
    assert result.crisis is (band == "severe")


def test_phq9_top_score_is_severe_and_a_crisis():
    result = score(PHQ9, (3,) * 9)
    assert (result.score, result.band, result.crisis) == (27, "severe", True)


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe")])
def test_gad7_bands_at_every_boundary(total, band):
    result = score(GAD7, _answers(GAD7, total))
    assert (result.score, result.band, result.crisis) == (total, band, band == "severe")


@pytest.mark.parametrize("answer", [1, 2, 3])
def test_any_answer_above_zero_to_item_9_starts_the_crisis_route_whatever_the_total(answer):
    result = score(PHQ9, _answers(PHQ9, answer, crisis_item_answer=answer))
    assert result.band == "minimal" and result.crisis is True


def test_a_form_is_parsed_whole_or_refused_item_by_item():
    form = {f"item{number}": "1" for number in range(1, 10)}
    assert parse(PHQ9, form) == (1,) * 9
    with pytest.raises(AnswersRefused) as refused:
        parse(PHQ9, {**form, "item3": "4", "item9": "", "item5": "-1"})
    assert refused.value.problems == {"item3": "out_of_range", "item5": "out_of_range", "item9": "missing"}
    with pytest.raises(AnswersRefused) as refused:
        parse(GAD7, {"item1": "０"})  # a full-width digit is not an answer
    assert refused.value.problems["item1"] == "out_of_range" and refused.value.problems["item7"] == "missing"
    with pytest.raises(AnswersRefused):
        score(GAD7, (0,) * 6)
