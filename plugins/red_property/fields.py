"""Field cleaners the plugin's forms share: times and days as people in China write them."""

from __future__ import annotations

from datetime import datetime, time

from core.sdk import CHINA, Form, Message, clean_text


def moment(form: Form, name: str) -> datetime | None:
    """A date and time (2026-12-01 09:00, China time); None when left empty."""
    value = form.field(name, clean_text, max_length=16) or ""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("T", " ")).replace(tzinfo=CHINA)
    except ValueError:
        form.error(name, Message("Give a date and time, like 2026-12-01 09:00."))
        return None


def day(form: Form, name: str, *, at: time = time(18, 0)) -> datetime | None:
    """A day (2026-12-31), as the moment ``at`` on it in China; None when left empty."""
    value = form.field(name, clean_text, max_length=10) or ""
    if not value:
        return None
    try:
        found = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        form.error(name, Message("Give a date, like 2026-12-31."))
        return None
    return datetime.combine(found, at, tzinfo=CHINA)
