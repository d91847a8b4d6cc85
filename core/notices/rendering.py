"""Notice bodies: Markdown rendered to HTML that cannot carry script.

Raw HTML in the source is shown as text (``html=False``), and links and images may point
only to http(s), mailto or this site's own paths: no ``javascript:``, ``vbscript:``,
``data:`` or ``file:`` URLs.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _safe_link(url: str) -> bool:
    compact = "".join(url.split()).lower()
    if compact.startswith(_ALLOWED_SCHEMES):
        return True
    # A path of this site ("/t/qindu/…", "#part"), never protocol-relative.
    return (compact.startswith("/") and not compact.startswith("//")) or compact.startswith("#")


@cache
def _renderer() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    renderer.validateLink = _safe_link  # type: ignore[method-assign]
    return renderer


def render(body: str) -> Markup:
    """The body as HTML, safe to put in a page as it is."""
    return Markup(_renderer().render(body or ""))
