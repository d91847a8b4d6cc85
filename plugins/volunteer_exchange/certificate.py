"""The certificate of volunteer service (志愿服务证明): a PDF the volunteer downloads, listing
their confirmed service across the province activity by activity, with the total hours and
their star level, issued by the district they download it from.

Chinese text is set in a CID font every PDF reader has or substitutes (STSong-Light), so the
file embeds no font and stays small."""

from __future__ import annotations

import io
from datetime import datetime

from core.sdk import CHINA, TenantScope, gettext, now

from plugins.volunteer_exchange import points
from plugins.volunteer_exchange.handle import plugin

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


async def pdf(scope: TenantScope, person_id: int) -> bytes:
    """The volunteer's certificate, as issued now by the district of ``scope``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    province = await plugin.province_of(scope)
    service = await points.service_of(province, person_id)
    names = await plugin.district_names(sorted({row["district_id"] for row in service} | {scope.tenant_id}))
    person = (await plugin.people(scope, [person_id])).get(person_id, {})
    minutes = sum(row["minutes"] for row in service)
    stars = points.stars_for(minutes)
    _register_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(gettext("Certificate of volunteer service"))
    width, height = A4
    y = height - 80

    def line(text: str, *, size: int = 11, x: float = 60, gap: float = 20) -> None:
        nonlocal y
        if y < 70:
            page.showPage()
            y = height - 70
        page.setFont(FONT, size)
        page.drawString(x, y, text)
        y -= gap

    page.setFont(FONT, 22)
    page.drawCentredString(width / 2, y, gettext("Certificate of volunteer service"))
    y -= 44
    line(gettext("Volunteer: %(name)s", name=person.get("display_name", "")), size=13, gap=22)
    hours, level = "%.1f" % (minutes / 60), "★" * stars if stars else "—"
    line(gettext("Confirmed service: %(hours)s hours; star level: %(stars)s", hours=hours, stars=level),
         size=13, gap=30)
    line(gettext("Date · Activity · District · Hours"), size=11, gap=18)
    for row in service:
        served: datetime = row["served_on"]
        line(f"{served.astimezone(CHINA):%Y-%m-%d} · {row['activity']} · {names.get(row['district_id'], '')} · "
             f"{row['minutes'] / 60:.1f}", size=10, x=66, gap=16)
    if not service:
        line(gettext("No confirmed service yet."), size=10, x=66)
    y -= 20
    issuer, today = names.get(scope.tenant_id, ""), now().astimezone(CHINA).strftime("%Y-%m-%d")
    line(gettext("Issued by %(district)s from the volunteer-service records, on %(day)s.", district=issuer,
                 day=today), size=10)
    page.showPage()
    page.save()
    return buffer.getvalue()
