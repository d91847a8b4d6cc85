"""The channels beyond the inbox, behind one interface.

A channel has a ``name`` and ``async send(settings, recipient, message) -> DeliveryResult``;
it never raises for a failed delivery, it answers ``accepted=False`` (``gone=True`` when the
address will never work again, e.g. a push subscription the vendor dropped). Email goes
through SMTP, SMS through the message-gateway hook; Web Push registers itself here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.config import Settings
from core.messaging.gateway import DeliveryResult, sms_gateway


@dataclass(frozen=True)
class Recipient:
    person_id: int
    display_name: str
    phone: str | None
    email: str | None
    language: str
    # For push: the subscription of the device the message goes to (core.push.tables).
    device: Any = None


@dataclass(frozen=True)
class RenderedMessage:
    title: str
    text: str
    url: str  # absolute
    urgent: bool
    link: str = ""  # the same page as a path of this site (a service worker opens it on its own origin)


class Channel(Protocol):
    name: str

    def can_reach(self, recipient: Recipient) -> bool: ...

    async def send(self, settings: Settings, recipient: Recipient, message: RenderedMessage) -> DeliveryResult: ...


class EmailChannel:
    name = "email"

    def can_reach(self, recipient: Recipient) -> bool:
        return bool(recipient.email)

    async def send(self, settings: Settings, recipient: Recipient, message: RenderedMessage) -> DeliveryResult:
        from core.messaging.email import send_email

        body = f"{message.text}\n\n{message.url}\n" if message.text else f"{message.url}\n"
        return await send_email(settings, recipient.email or "", message.title, body)


class SmsChannel:
    name = "sms"
    LIMIT = 300

    def can_reach(self, recipient: Recipient) -> bool:
        return bool(recipient.phone)

    async def send(self, settings: Settings, recipient: Recipient, message: RenderedMessage) -> DeliveryResult:
        text = f"{message.title} {message.url}"
        if len(text) > self.LIMIT:
            text = f"{message.title[: self.LIMIT - len(message.url) - 2]}… {message.url}"
        return await sms_gateway(settings).send_notice(recipient.phone or "", text, recipient.language)


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    CHANNELS[channel.name] = channel


register(EmailChannel())
register(SmsChannel())
