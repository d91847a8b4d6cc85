"""Who may do what with notices."""

from __future__ import annotations

from collections.abc import Set

from core.accounts.roles import DISTRICT_ADMIN, STAFF
from core.notices.tables import Notice

AUTHOR_ROLES = frozenset({DISTRICT_ADMIN, STAFF})


def can_author(roles: Set[str]) -> bool:
    return bool(roles & AUTHOR_ROLES)


def can_edit(actor_id: int, notice: Notice) -> bool:
    return notice.author == actor_id and notice.status in ("draft", "returned")


def can_review(actor_id: int, roles: Set[str], notice: Notice) -> bool:
    """Anyone who may author notices reviews them, except the notice's own author."""
    return can_author(roles) and notice.author != actor_id and notice.status == "submitted"


def can_withdraw(roles: Set[str], notice: Notice) -> bool:
    return can_author(roles) and notice.status in ("published", "scheduled")


def can_correct(roles: Set[str], notice: Notice) -> bool:
    return can_author(roles) and notice.status == "published"
