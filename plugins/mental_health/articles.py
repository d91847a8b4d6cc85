"""Short self-help articles, one for each band a questionnaire can give: plain and calm, what
helps and when to ask for more help; never a diagnosis. Both languages through the plugin's
catalogue. A result page links to the article of its band; anyone signed in reads them all."""

from __future__ import annotations

from dataclasses import dataclass

from core.sdk import N_, NotFound


@dataclass(frozen=True)
class Article:
    band: str
    title: str
    paragraphs: tuple[str, ...]


ARTICLES = {article.band: article for article in (
    Article("minimal", N_("Keeping well"), (
        N_("Feeling fairly steady is worth looking after. The everyday things that keep mood even are simple: "
           "going to bed and getting up at about the same times, moving your body every day, eating regular "
           "meals, and spending time with people you like."),
        N_("Notice what lifts you, a walk, music, a chat with a neighbour, and keep a little of it in every "
           "week. If a hard time comes, you can fill in a questionnaire again at any time, and the hotline is "
           "always there."),
    )),
    Article("mild", N_("When things feel a little heavy"), (
        N_("Low mood and worry now and then are part of life, and they often ease with time. Small steps help "
           "most: keep a regular sleep time, get outside in daylight, and do one small thing each day that you "
           "used to enjoy, even if you do not feel like it at first."),
        N_("Tell someone you trust how you feel; saying it out loud often makes it lighter. Try to cut down on "
           "alcohol, and give worries a set time of day instead of all day."),
        N_("Fill in the questionnaire again in two weeks. If it is getting harder, a counsellor at your "
           "community's service station is there to talk, free of charge."),
    )),
    Article("moderate", N_("Talking it over helps"), (
        N_("When low mood or worry has been around for a couple of weeks and gets in the way of sleep, work or "
           "family life, talking with someone trained to help makes a real difference. You do not need to wait "
           "until things are very bad."),
        N_("A counsellor at your community's psychological service station, or your family doctor at the "
           "community health service centre, can listen and help you plan the next steps. You can book a "
           "session from this service's page."),
        N_("Meanwhile, keep your days simple and regular, stay in touch with people, and be kind to yourself: "
           "this is common, and it can get better."),
    )),
    Article("moderately_severe", N_("Getting help this week"), (
        N_("Your answers show that a lot has been weighing on you. Please talk to a doctor or a counsellor "
           "soon, this week if you can. Help works, and asking for it is a sign of strength, not weakness."),
        N_("Ask someone close to you to come along or to help you make the appointment. Write down what has "
           "been hardest, sleep, appetite, energy, worries, so that you can say it easily."),
        N_("If at any moment you feel unsafe or think about harming yourself, call the hotline straight away, "
           "day or night."),
    )),
    Article("severe", N_("You do not have to carry this alone"), (
        N_("Your answers show that things are very hard right now. Please reach out today: call the hotline, "
           "talk to someone you trust, or see a doctor. A counsellor of your community has been told and will "
           "call you back."),
        N_("If you are in danger or thinking about ending your life, call the hotline now, or 120, and stay "
           "with someone until help comes. Put away anything you could use to hurt yourself."),
        N_("Feeling this way can change with the right help. Many people who felt like this have got better."),
    )),
)}


def article(band: str) -> Article:
    """The article for a band; NotFound for a band there is not."""
    found = ARTICLES.get(band)
    if found is None:
        raise NotFound()
    return found
