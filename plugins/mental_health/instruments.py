"""The screening questionnaires, as published, and their scoring.

PHQ-9 (Patient Health Questionnaire-9) and GAD-7 (Generalized Anxiety Disorder-7), by Drs
Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant
from Pfizer Inc.; no permission is required to reproduce, translate, display or distribute
them. The English text is the published one; the Chinese is the Simplified Chinese version in
use in mainland clinics and studies. Both ask about the last two weeks, with the same four
answers scored 0 to 3.

Scoring is the sum of the items. Bands: PHQ-9 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19
moderately severe, 20–27 severe; GAD-7 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.
Any answer above 0 to PHQ-9 item 9 (thoughts of death or self-harm), or a severe band, starts
the crisis route.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh-Hans", "en")


@dataclass(frozen=True)
class Instrument:
    key: str
    name: dict[str, str]
    frame: dict[str, str]  # the question every item answers
    items: tuple[dict[str, str], ...]
    options: tuple[dict[str, str], ...]  # scored 0, 1, 2, 3 in this order
    bands: tuple[tuple[int, str], ...]  # (lowest score, band), ascending
    # The item whose any answer above 0 starts the crisis route (1-based), if any.
    crisis_item: int | None = None

    @property
    def maximum(self) -> int:
        return 3 * len(self.items)

    def text(self, part: dict[str, str], language: str) -> str:
        return part.get(language) or part["en"]


OPTIONS = (
    {"zh-Hans": "完全不会", "en": "Not at all"},
    {"zh-Hans": "好几天", "en": "Several days"},
    {"zh-Hans": "一半以上的天数", "en": "More than half the days"},
    {"zh-Hans": "几乎每天", "en": "Nearly every day"},
)

PHQ9 = Instrument(
    key="phq9",
    name={"zh-Hans": "患者健康问卷（PHQ-9）", "en": "Patient Health Questionnaire (PHQ-9)"},
    frame={"zh-Hans": "在过去两周里，您有多少时间受到以下任何问题的困扰？",
           "en": "Over the last 2 weeks, how often have you been bothered by any of the following problems?"},
    items=(
        {"zh-Hans": "做事时提不起劲或没有兴趣", "en": "Little interest or pleasure in doing things"},
        {"zh-Hans": "感到心情低落、沮丧或绝望", "en": "Feeling down, depressed, or hopeless"},
        {"zh-Hans": "入睡困难、睡不安稳或睡眠过多", "en": "Trouble falling or staying asleep, or sleeping too much"},
        {"zh-Hans": "感觉疲倦或没有活力", "en": "Feeling tired or having little energy"},
        {"zh-Hans": "食欲不振或吃太多", "en": "Poor appetite or overeating"},
        {"zh-Hans": "觉得自己很糟，或觉得自己很失败，或让自己或家人失望",
         "en": "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"},
        {"zh-Hans": "对事物专注有困难，例如阅读报纸或看电视时",
         "en": "Trouble concentrating on things, such as reading the newspaper or watching television"},
        {"zh-Hans": "动作或说话速度缓慢到别人已经觉察？或正好相反——烦躁或坐立不安、动来动去的情况更胜于平常",
         "en": "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
               "fidgety or restless that you have been moving around a lot more than usual"},
        {"zh-Hans": "有不如死掉或用某种方式伤害自己的念头",
         "en": "Thoughts that you would be better off dead or of hurting yourself in some way"},
    ),
    options=OPTIONS,
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")),
    crisis_item=9,
)

GAD7 = Instrument(
    key="gad7",
    name={"zh-Hans": "广泛性焦虑量表（GAD-7）", "en": "Generalized Anxiety Disorder scale (GAD-7)"},
    frame={"zh-Hans": "在过去两周里，您有多少时间受到以下任何问题的困扰？",
           "en": "Over the last 2 weeks, how often have you been bothered by the following problems?"},
    items=(
        {"zh-Hans": "感觉紧张、焦虑或急切", "en": "Feeling nervous, anxious, or on edge"},
        {"zh-Hans": "不能够停止或控制担忧", "en": "Not being able to stop or control worrying"},
        {"zh-Hans": "对各种各样的事情担忧过多", "en": "Worrying too much about different things"},
        {"zh-Hans": "很难放松下来", "en": "Trouble relaxing"},
        {"zh-Hans": "由于不安而无法静坐", "en": "Being so restless that it is hard to sit still"},
        {"zh-Hans": "变得容易烦恼或急躁", "en": "Becoming easily annoyed or irritable"},
        {"zh-Hans": "感到似乎将有可怕的事情发生而害怕", "en": "Feeling afraid, as if something awful might happen"},
    ),
    options=OPTIONS,
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
)

INSTRUMENTS = {instrument.key: instrument for instrument in (PHQ9, GAD7)}


class AnswersRefused(ValueError):
    """Answers that cannot be scored; ``problems`` maps each item ("item3") to what is wrong:
    ``missing`` or ``out_of_range``."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{item}: {problem}" for item, problem in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Result:
    instrument: str
    answers: tuple[int, ...]
    score: int
    band: str
    crisis: bool  # the crisis route starts at once


def parse(instrument: Instrument, form: dict[str, str]) -> tuple[int, ...]:
    """The answers of a form (``item1`` … ``itemN``, each "0" to "3"), all or refused."""
    problems: dict[str, str] = {}
    answers = []
    for number in range(1, len(instrument.items) + 1):
        name = f"item{number}"
        value = str(form.get(name, "")).strip()
        if value == "":
            problems[name] = "missing"
        elif value not in ("0", "1", "2", "3"):
            problems[name] = "out_of_range"
        else:
            answers.append(int(value))
    if problems:
        raise AnswersRefused(problems)
    return tuple(answers)


def band_of(instrument: Instrument, score: int) -> str:
    if not 0 <= score <= instrument.maximum:
        raise ValueError(f"{instrument.key} scores 0 to {instrument.maximum}, not {score}")
    return [band for lowest, band in instrument.bands if score >= lowest][-1]


def score(instrument: Instrument, answers: tuple[int, ...]) -> Result:
    if len(answers) != len(instrument.items) or any(answer not in (0, 1, 2, 3) for answer in answers):
        raise AnswersRefused({"answers": "out_of_range"})
    total = sum(answers)
    band = band_of(instrument, total)
    crisis = band == "severe" or bool(instrument.crisis_item and answers[instrument.crisis_item - 1] > 0)
    return Result(instrument.key, answers, total, band, crisis)
