"""Searching notices in Chinese: a two-character query finds every notice containing it.

Full-text search with PostgreSQL's 'simple' configuration finds no words in Chinese (there
are no spaces between them), and pg_trgm needs three characters. So each notice keeps the
set of two-character pieces of its title and body (``search_terms``); on PostgreSQL a GIN
index over that array answers "which notices contain all the query's pieces", and a LIKE on
those few rows confirms the pieces are adjacent. SQLite (one district, a pilot) scans with
LIKE. A one-character query scans on both.
"""

from __future__ import annotations

import re
import unicodedata

from piccolo.columns.combination import WhereRaw

from core import db
from core.notices.tables import Notice

QUERY_MAX = 50
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width letters and digits as half-width, lower case: what is indexed and searched."""
    return unicodedata.normalize("NFKC", text or "").lower()


def terms(*texts: str) -> list[str]:
    """The distinct two-character pieces of the texts (pieces never span a space)."""
    found: set[str] = set()
    for text in texts:
        for run in _SPACE.split(normalise(text)):
            found.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(found)


def clean_query(query: str | None) -> str:
    """The query as searched: normalised, LIKE's wildcards removed, at most QUERY_MAX characters."""
    # NUL goes too: no text column holds one (PostgreSQL refuses it outright).
    cleaned = normalise(query or "").replace("%", "").replace("_", "").replace("\x00", "")
    return _SPACE.sub(" ", cleaned).strip()[:QUERY_MAX]


def matching(query: str):
    """A condition for notices whose title or body contains ``query`` (already cleaned)."""
    pattern = f"%{query}%"
    contains = Notice.title.like(pattern) | Notice.body.like(pattern)
    pieces = terms(query)
    if db.is_sqlite() or not pieces:
        return contains
    return WhereRaw("search_terms @> CAST({} AS varchar[])", pieces) & contains
