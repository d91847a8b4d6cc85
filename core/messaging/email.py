"""Email: through SMTP when ``GONGZHI_SMTP_URL`` is set (``smtp://[user:pass@]host:port``,
``smtps://`` for TLS from the start, ``?starttls=1`` to upgrade), else to ``var/outbox/email/``."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from core.config import Settings
from core.messaging import outbox
from core.messaging.gateway import DeliveryResult

log = logging.getLogger("gongzhi.email")


async def send_email(settings: Settings, to: str, subject: str, body: str) -> DeliveryResult:
    if not settings.smtp_url:
        message_id = outbox.write(settings.outbox_dir / "email",
                                  {"to": to, "from": settings.mail_from, "subject": subject, "body": body})
        return DeliveryResult(accepted=True, provider="outbox", provider_message_id=message_id)

    import aiosmtplib

    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    url = urlparse(settings.smtp_url)
    options = parse_qs(url.query)
    try:
        await aiosmtplib.send(
            message,
            hostname=url.hostname or "127.0.0.1",
            port=url.port or (465 if url.scheme == "smtps" else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=url.scheme == "smtps",
            start_tls=options.get("starttls", ["0"])[0] == "1",
            timeout=15,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        log.warning("email to %s failed: %s", to, error)
        return DeliveryResult(accepted=False, provider="smtp", error=str(error))
    return DeliveryResult(accepted=True, provider="smtp", provider_message_id=message["Message-ID"] or "")
