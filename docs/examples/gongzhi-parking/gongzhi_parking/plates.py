"""Mainland China licence plates, typed the way people type them.

A plate is the province's one-character abbreviation, the issuing authority's letter, then
five characters (an ordinary plate, 陕D12345) or six (a new-energy plate, 陕AD12345 or
陕A12345D). Letters I and O are never used. Full-width characters from a Chinese input
method, lower case, spaces and the dot or dash some people put after the authority's
letter are accepted and normalised.
"""

from __future__ import annotations

import re
import unicodedata

from core.sdk import FieldError, Message

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
_ORDINARY = re.compile(rf"^[{PROVINCES}][{_LETTER}][{_LETTER}0-9]{{5}}$")
# New-energy: small vehicles D/F then a letter or digit and four digits; large ones five digits then D/F.
_NEW_ENERGY = re.compile(rf"^[{PROVINCES}][{_LETTER}](?:[DF][{_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$")
_SEPARATORS = re.compile(r"[\s·.\-]")


def plate(value: object) -> str:
    """The plate, normalised (陕D12345); raises :class:`FieldError` when it is not one."""
    typed = unicodedata.normalize("NFKC", "" if value is None else str(value))
    compact = _SEPARATORS.sub("", typed).upper()
    if not compact:
        raise FieldError(Message("This field is required."))
    if _ORDINARY.match(compact) or _NEW_ENERGY.match(compact):
        return compact
    raise FieldError(Message("Enter a plate number like 陕D12345, or 陕AD12345 for a new-energy vehicle."))
