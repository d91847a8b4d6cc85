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
