"""What a result page says about each band: plain and calm, what to do next, never a
diagnosis (a questionnaire screens; only a clinician diagnoses). Both languages through the
plugin's catalogue."""

from __future__ import annotations

from core.sdk import N_

BANDS = {
    "minimal": N_("Few or no signs right now"),
    "mild": N_("Some signs"),
    "moderate": N_("A fair number of signs"),
    "moderately_severe": N_("Many signs"),
    "severe": N_("A great many signs"),
}

ADVICE = {
    "minimal": N_("Your answers show few signs of low mood or worry over the last two weeks. Keep doing what "
                  "helps you: sleep, moving about, time with people you like. You can fill this in again "
                  "whenever you want to check."),
    "mild": N_("Your answers show some signs over the last two weeks. This is common and often passes. Talking "
               "to someone you trust, regular sleep and a little exercise help many people. Fill this in again "
               "in two weeks; if things get harder, talk to a counsellor at your community's service station."),
    "moderate": N_("Your answers show a fair number of signs over the last two weeks. It is worth talking this "
                   "over with someone trained to help: a counsellor at your community's psychological service "
                   "station or your family doctor. This is not a diagnosis; they can tell you more."),
    "moderately_severe": N_("Your answers show many signs over the last two weeks. Please talk to a doctor or a "
                            "counsellor soon, this week if you can. This is not a diagnosis, and help works: you "
                            "do not have to carry this alone."),
    "severe": N_("Your answers show a great many signs over the last two weeks. Please talk to someone today: "
                 "call the hotline above, or see a doctor. A counsellor has been told and will call you back. "
                 "This is not a diagnosis, and help works."),
}
