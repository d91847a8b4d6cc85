"""Tracking numbers residents can read out on the phone: QD-2026-000123."""

from __future__ import annotations

from core import clock
from core.feedback.tables import TrackingCounter
from core.tenancy import TenantScope

_VOWELS = set("aeiouv")


def prefix(slug: str) -> str:
    """Two letters from a district's pinyin slug: the initials of its first two syllables
    (qindu → QD, weicheng → WC, xingping → XP); else its first two letters."""
    letters = [c for c in slug.lower() if c.isascii() and c.isalpha()]
    if len(letters) < 2:
        return (slug[:2] or "GZ").upper()
    i = 1
    while i < len(letters) and letters[i] in _VOWELS:
        i += 1
    # Skip a syllable's final n / ng / r when a consonant follows it.
    while i + 1 < len(letters) and letters[i] in "ngr" and letters[i + 1] not in _VOWELS:
        i += 1
    second = letters[i] if i < len(letters) else letters[1]
    return (letters[0] + second).upper()


async def next_number(scope: TenantScope, slug: str) -> str:
    """The next number of this year in the district (in the caller's write transaction). One
    statement creates or bumps the counter, so concurrent submissions queue on its row."""
    year = clock.local(clock.now()).year
    rows = await scope.raw(
        TrackingCounter,
        "INSERT INTO feedback_counter (tenant_id, year, last) VALUES ({tenant}, {}, 1) "
        "ON CONFLICT (tenant_id, year) DO UPDATE SET last = feedback_counter.last + 1 RETURNING last", year)
    return f"{prefix(slug)}-{year}-{rows[0]['last']:06d}"
