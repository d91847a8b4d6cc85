"""Cleaning what people type into forms.

Each cleaner returns the cleaned value or raises :class:`FieldError` with a message for
the field; :class:`Form` collects them so every bad field is reported at once, and the
page can show each message next to its field while keeping what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from core.errors import ValidationFailed
from core.i18n import Message

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FULL_WIDTH_DIGITS = re.compile(r"[\uff10-\uff19]")


class FieldError(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


def text(value: Any, *, max_length: int, required: bool = True, multiline: bool = False) -> str:
    """Trimmed text with no control characters, at most ``max_length`` characters."""
    value = "" if value is None else str(value)
    if "\x00" in value or _CONTROL.search(value.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise FieldError(Message("Contains characters that cannot be used."))
    if not multiline and ("\n" in value or "\r" in value):
        raise FieldError(Message("Must be on one line."))
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        if required:
            raise FieldError(Message("This field is required."))
        return ""
    if len(value) > max_length:
        raise FieldError(
            Message("At most %(max)d characters (you typed %(count)d).", {"max": max_length, "count": len(value)})
        )
    return value


def digits(value: Any, *, length: int) -> str:
    """Exactly ``length`` ASCII digits."""
    value = text(value, max_length=length * 4)
    if _FULL_WIDTH_DIGITS.search(value):
        raise FieldError(Message("Use half-width digits (0-9), not full-width ones."))
    if not re.fullmatch(r"[0-9]{%d}" % length, value):
        raise FieldError(Message("Must be exactly %(length)d digits.", {"length": length}))
    return value


def choice_id(value: Any) -> int | None:
    """The id of an option picked from a list (empty: None): ASCII digits only."""
    value = "" if value is None else str(value).strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) >= _LARGEST_ID:
        raise FieldError(Message("Choose one of the list."))
    return int(value)


# Row ids are 32-bit on PostgreSQL (Serial): a larger number is in no list.
_LARGEST_ID = 2 ** 31


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")


def number(value: Any, *, low: float, high: float) -> float | None:
    """A decimal number from ``low`` to ``high``; None when left empty."""
    value = "" if value is None else str(value).strip()
    if not value:
        return None
    try:
        result = float(value)
    except ValueError:
        raise FieldError(Message("Enter a number.")) from None
    if not low <= result <= high:
        raise FieldError(Message("Enter a number from %(low)s to %(high)s.", {"low": low, "high": high}))
    return result


def whole_number(value: Any, *, low: int | None = None, high: int | None = None) -> int | None:
    """A whole number (full-width digits accepted), within ``low``/``high`` when given; None when empty."""
    value = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    if not value:
        return None
    if not re.fullmatch(r"[+-]?\d{1,12}", value):
        raise FieldError(Message("Enter a whole number."))
    result = int(value)
    if (low is not None and result < low) or (high is not None and result > high):
        if low is not None and high is not None:
            raise FieldError(Message("Enter a number from %(low)s to %(high)s.", {"low": low, "high": high}))
        raise FieldError(Message("Enter a number of at least %(low)s.", {"low": low}) if low is not None
                         else Message("Enter a number of at most %(high)s.", {"high": high}))
    return result


def email(value: Any, *, required: bool = True) -> str:
    value = text(value, max_length=254, required=required)
    if value and not _EMAIL.match(value):
        raise FieldError(Message("Enter an email address like name@example.com."))
    return value.lower()


def phone(value: Any, *, required: bool = True) -> str:
    """A mainland China mobile number: 11 digits starting with 1.

    Typed the way people type them: full-width digits (from a Chinese input method),
    spaces, dashes, with or without +86 or 0086; normalised, then validated.
    """
    value = text(value, max_length=30, required=required)
    if not value:
        return ""
    value = unicodedata.normalize("NFKC", value)  # full-width digits and ＋ become ASCII
    compact = re.sub(r"[\s\-()]", "", value)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if not _PHONE.match(compact):
        raise FieldError(Message("Enter an 11-digit mobile number, like 13800000000."))
    return compact


class Form:
    """Collects cleaned values and field errors; ``raise_if_invalid`` reports them all."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.cleaned: dict[str, Any] = {}
        self.errors: dict[str, Message] = {}

    def field(self, name: str, cleaner: Callable[..., Any], **options: Any) -> Any:
        try:
            value = cleaner(self.data.get(name), **options)
        except FieldError as error:
            self.errors[name] = error.message
            return None
        self.cleaned[name] = value
        return value

    def error(self, name: str, message: Message) -> None:
        self.errors.setdefault(name, message)

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
