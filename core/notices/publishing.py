"""Notices outside the page: the district's Atom feed and the print view's QR code."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from core import clock
from core.notices.rendering import render
from core.notices.tables import Notice


def qr_svg(url: str) -> str:
    """A QR code for ``url`` as inline SVG markup."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def atom(*, title: str, site: str, feed_url: str, page_url: str, notices: list[Notice]) -> str:
    """An Atom 1.0 document of published notices (newest first)."""
    updated = max((n.published_at for n in notices), default=clock.now())
    entries = []
    for notice in notices:
        link = f"{site}/notices/{notice.root}"
        entries.append(
            "<entry>"
            f"<id>{escape(link)}</id>"
            f"<title>{escape(notice.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{escape(link)}"/>'
            f"<published>{notice.published_at.isoformat()}</published>"
            f"<updated>{notice.published_at.isoformat()}</updated>"
            f'<content type="html">{escape(str(render(notice.body)))}</content>'
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">'
        f"<id>{escape(feed_url)}</id>"
        f"<title>{escape(title)}</title>"
        f"<updated>{updated.isoformat()}</updated>"
        f'<link rel="self" type="application/atom+xml" href="{escape(feed_url)}"/>'
        f'<link rel="alternate" type="text/html" href="{escape(page_url)}"/>'
        + "".join(entries)
        + "</feed>"
    )
