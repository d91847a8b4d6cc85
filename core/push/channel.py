"""The Web Push channel: a notification, encrypted for one device (RFC 8291, aes128gcm) and
signed with the deployment's VAPID key, posted to that device's push service.

The device's service worker (``pwa/templates/tenant/sw.js``) shows it. A push service that
answers 404 or 410 has dropped the subscription for good (``gone``); any other failure is
tried again with the notification service's backoff.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from pywebpush import WebPushException, webpush_async

from core.config import Settings
from core.messaging.gateway import DeliveryResult
from core.notifications.channels import Recipient, RenderedMessage, register
from core.push import vapid

PROVIDER = "webpush"
# How long a push service keeps a message for a device that is off (seconds).
TIME_TO_LIVE = 24 * 3600
TEXT_LIMIT = 240  # a push payload is at most about 4 KB; a notification shows a few lines
GONE = (404, 410)


def payload(message: RenderedMessage) -> str:
    return json.dumps({"title": message.title, "body": message.text[:TEXT_LIMIT], "url": message.link or "/",
                       "urgent": message.urgent}, ensure_ascii=False)


class PushChannel:
    name = "push"

    def can_reach(self, recipient: Recipient) -> bool:
        return recipient.device is not None

    async def send(self, settings: Settings, recipient: Recipient, message: RenderedMessage) -> DeliveryResult:
        device = recipient.device
        try:
            response = await webpush_async(
                subscription_info={"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
                data=payload(message),
                vapid_private_key=vapid.signer(settings),
                vapid_claims={"sub": vapid.subject(settings)},
                ttl=TIME_TO_LIVE,
                headers={"Urgency": "high" if message.urgent else "normal"},
                timeout=aiohttp.ClientTimeout(total=10),
            )
        except WebPushException as error:
            status = error.status_code
            return DeliveryResult(False, PROVIDER, error=f"the push service answered {status}: {error.message[:200]}",
                                  gone=status in GONE)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            return DeliveryResult(False, PROVIDER, error=f"the push service could not be reached: {error!r}"[:300])
        return DeliveryResult(True, PROVIDER, provider_message_id=response.headers.get("Location", "")[:200])


register(PushChannel())
