"""Who may do what with a district's organisation: one ``can_<action>`` per action."""

from __future__ import annotations

from core.accounts.roles import DISTRICT_ADMIN


def can_edit_organisation(roles: frozenset[str]) -> bool:
    return DISTRICT_ADMIN in roles
