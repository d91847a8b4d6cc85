"""The exceptions services raise for people to see.

One handler (``core.web.errors``) renders each as a translated page, or as
problem-details JSON (RFC 9457) under ``/api/``.
"""

from __future__ import annotations

from typing import Any

from core.i18n import Message


class GongzhiError(Exception):
    """Something a person should be told about, in their language."""

    status_code = 400
    title = "Bad request"

    def __init__(self, detail: Message | str | None = None, **extra: Any) -> None:
        self.detail = detail if isinstance(detail, Message) or detail is None else Message(detail)
        self.extra = extra
        super().__init__(str(detail.msgid if isinstance(detail, Message) else detail))


class ValidationFailed(GongzhiError):
    """Input that cannot be accepted; ``errors`` maps each field to its message."""

    status_code = 422
    title = "Some fields need attention"

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(Message("Please correct the fields marked below."))
        self.errors = errors


class NotFound(GongzhiError):
    status_code = 404
    title = "Not found"


class NotAuthenticated(GongzhiError):
    status_code = 401
    title = "Please sign in"


class PermissionDenied(GongzhiError):
    status_code = 403
    title = "Forbidden"


class Conflict(GongzhiError):
    status_code = 409
    title = "Conflict"
