"""Unsafe HTML routes that no page's form reaches in the sweep's district, each with why.

The bad-input sweep (tests/test_bad_input.py) fails for an unsafe HTML route (session auth)
that no form of any page posts to and that has no entry here, and for an entry whose route a
form does reach (the exemption is then stale).
"""

EXEMPTIONS: dict[tuple[str, str], str] = {
    ("POST", "/account/second-factor/off"):
        "a button with no field but the CSRF token, shown only to a person with a second factor",
    ("POST", "/admin/marketplace/{release_id:int}/approve"):
        "a button with no field but the CSRF token, shown only for a release waiting for review",
    ("POST", "/admin/marketplace/{release_id:int}/reject"):
        "shown only for a release waiting for review (an uploaded wheel); its one field is a reason",
    ("POST", "/t/{slug:str}/inbox/read-all"):
        "a button with no field but the CSRF token, shown only while messages are unread",
    ("POST", "/t/{slug:str}/p/legal_aid/console/cases/{case_id:int}/answer"):
        "shown only on a referral case to the adviser handling it; the district's case is a mediation",
    ("POST", "/t/{slug:str}/p/legal_aid/console/consultations/{consultation_id:int}/green"):
        "shown only to the adviser handling a request outside the green channel",
    ("POST", "/t/{slug:str}/p/mental_health/console/residents/{person_id:int}/assign"):
        "shown only for a resident with no counsellor; the district's resident has one",
}

_GENERIC_422 = "answered 422: the form is not shown again"

# Problems the sweep finds that are not fixed yet, each with what is wrong: the sweep fails
# for any other problem, and for an entry here that no longer occurs.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {
    ("POST /admin/tenants/{slug:str}/{action:str}", _GENERIC_422):
        "a reason too long or with a NUL byte: the error page, not the district's row again",
    ("POST /t/{slug:str}/console/feedback/{item_id:int}/{action:str}", _GENERIC_422):
        "a bad note: the error page, not the item again",
    ("POST /t/{slug:str}/console/notices/{notice_id:int}/{action:str}", _GENERIC_422):
        "a bad reason or comment: the error page, not the notice again",
    ("POST /t/{slug:str}/feedback/{item_id:int}/{action:str}", _GENERIC_422):
        "a bad rating, comment or reason: the error page, not the item again",
    ("POST /t/{slug:str}/p/legal_aid/console/duty/{slot_id:int}/cancel", _GENERIC_422):
        "a bad reason: the error page, not the duty roster again",
    ("POST /t/{slug:str}/p/mental_health/console/referrals/{referral_id:int}/{action:str}", _GENERIC_422):
        "a bad outcome or summary: the error page, not the referral again",
    ("POST /t/{slug:str}/p/red_property/console/bills/{bill_id:int}/payments", _GENERIC_422):
        "a bad amount or method: the error page, not the bill again",
    ("POST /t/{slug:str}/p/red_property/console/bills/{bill_id:int}/reductions", _GENERIC_422):
        "a bad reduction, reason or key: the error page, not the bill again",
    ("POST /t/{slug:str}/p/red_property/meetings/decisions/{decision_id:int}/evaluation", _GENERIC_422):
        "a bad score or comment: the error page, not the meeting again",
    ("POST /t/{slug:str}/p/red_property/ratings/appeals/{appeal_id:int}/answer", _GENERIC_422):
        "a bad answer: the error page, not the rating again",
    ("POST /t/{slug:str}/p/red_property/votes/{vote_id:int}/ballot", _GENERIC_422):
        "a bad choice: the error page, not the vote again",
}
