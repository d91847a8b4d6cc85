"""The events core emits, with what their payload holds. Plugins add their own names
(``<plugin>_<noun>_<past verb>``) through the plugin host."""

from __future__ import annotations

USER_REGISTERED = "user_registered"
MEMBERSHIP_CHANGED = "membership_changed"
NOTICE_PUBLISHED = "notice_published"
FEEDBACK_SUBMITTED = "feedback_submitted"
FEEDBACK_STATUS_CHANGED = "feedback_status_changed"

CORE_EVENTS: dict[str, str] = {
    USER_REGISTERED: "A person became a resident of the district: person_id, unit_kind, unit_id, new_account.",
    MEMBERSHIP_CHANGED: "A person's roles in the district changed: person_id, membership_id, added, removed "
                        "(role lists), unit_kind, unit_id.",
    NOTICE_PUBLISHED: "A notice was published: notice_id, audience.",
    FEEDBACK_SUBMITTED: "A resident submitted a feedback item: feedback_id, person_id, category.",
    FEEDBACK_STATUS_CHANGED: "A feedback item moved: feedback_id, person_id, old_status, new_status, action; "
                             "or a department was called in on it (action call_in, acknowledge, report, "
                             "call_in_late; the status stays), with call_in_id and department_id.",
}
