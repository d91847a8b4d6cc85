"""Turning push on and off: a person's devices in a district.

A browser that turns notifications on gives its push subscription (an endpoint at its
vendor's push service and two keys); it is kept for the person in the district whose app it
is. Gongzhi posts to that endpoint, so it takes only endpoints of the push services the
deployment names (``GONGZHI_PUSH_SERVICES``), never an address inside the network.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from core import clock
from core.config import Settings
from core.errors import NotFound, ValidationFailed
from core.i18n import Message
from core.push.tables import PushSubscription
from core.tenancy import TenantScope

ENDPOINT_MAX = 2000
# The browsers and systems a device is named by, first match wins ("WeChat · Android").
BROWSERS = (("MicroMessenger", "WeChat"), ("EdgA/", "Edge"), ("Edg/", "Edge"), ("HuaweiBrowser", "Huawei Browser"),
            ("MiuiBrowser", "Mi Browser"), ("UCBrowser", "UC Browser"), ("QQBrowser", "QQ Browser"),
            ("Firefox/", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("HarmonyOS", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


@dataclass(frozen=True)
class Device:
    id: int
    label: str
    created_at: datetime
    last_sent_at: datetime | None
    endpoint: str


def device_label(user_agent: str) -> str:
    """A browser and system a person recognises, from the User-Agent: "Chrome · Android"."""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)[:80]


def allowed_endpoint(settings: Settings, endpoint: str) -> bool:
    """Whether ``endpoint`` is at one of the push services the deployment names."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    for entry in settings.push_services:
        entry = entry.lower()
        if entry.startswith("http://"):
            if parts.scheme == "http" and host == entry.removeprefix("http://").rstrip("/"):
                return True
        elif parts.scheme == "https" and (host == entry or (entry.startswith(".") and host.endswith(entry))):
            return True
    return False


def _decoded(value: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", value or ""):
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def clean(settings: Settings, data: dict[str, str]) -> dict[str, str]:
    """A subscription as the browser gave it, checked: the endpoint at an allowed push service,
    the browser's key a point on P-256, the secret 16 bytes."""
    endpoint = (data.get("endpoint") or "").strip()
    p256dh, auth = (data.get("p256dh") or "").strip(), (data.get("auth") or "").strip()
    errors: dict[str, Message] = {}
    if not endpoint or len(endpoint) > ENDPOINT_MAX or not allowed_endpoint(settings, endpoint):
        errors["endpoint"] = Message("This browser's push service is not one Gongzhi can send to. "
                                     "Your messages still reach your inbox, and by SMS if you chose it.")
    key = _decoded(p256dh)
    try:
        if key is None or len(key) != 65:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError:
        errors["p256dh"] = Message("The browser gave a subscription that cannot be used. Try again.")
    secret = _decoded(auth)
    if secret is None or len(secret) != 16:
        errors["auth"] = Message("The browser gave a subscription that cannot be used. Try again.")
    if errors:
        raise ValidationFailed(errors)
    return {"endpoint": endpoint, "p256dh": p256dh.rstrip("="), "auth": auth.rstrip("=")}


async def subscribe(scope: TenantScope, person_id: int, cleaned: dict[str, str], user_agent: str) -> int:
    """Keep the subscription for the person (a browser already known moves to them); returns its id."""
    rows = await scope.raw(
        PushSubscription,
        "INSERT INTO core_push_subscription (tenant_id, person, endpoint, p256dh, auth, label, created_at) "
        "VALUES ({tenant}, {}, {}, {}, {}, {}, {}) ON CONFLICT (tenant_id, endpoint) DO UPDATE SET "
        "person = excluded.person, p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label, "
        "created_at = excluded.created_at RETURNING id",
        person_id, cleaned["endpoint"], cleaned["p256dh"], cleaned["auth"], device_label(user_agent), clock.now())
    return rows[0]["id"]


async def devices(scope: TenantScope, person_id: int) -> list[Device]:
    rows = await scope.select(
        PushSubscription, PushSubscription.id, PushSubscription.label, PushSubscription.created_at,
        PushSubscription.last_sent_at, PushSubscription.endpoint,
    ).where(PushSubscription.person == person_id).order_by(PushSubscription.id)
    return [Device(row["id"], row["label"], row["created_at"], row["last_sent_at"], row["endpoint"]) for row in rows]


async def person_devices(scope: TenantScope, person_ids: list[int]) -> dict[int, list[int]]:
    """The devices of each of ``person_ids`` in the district (for planning a notification's pushes)."""
    if not person_ids:
        return {}
    rows = await scope.select(PushSubscription, PushSubscription.id, PushSubscription.person).where(
        PushSubscription.person.is_in(person_ids)).order_by(PushSubscription.id)
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["person"], []).append(row["id"])
    return found


async def remove(scope: TenantScope, person_id: int, device_id: int) -> None:
    """The person takes one of their devices off; another's, or another district's, is not found."""
    async with scope.transaction(write=True):
        device = await scope.get(PushSubscription, device_id)
        if device is None or device.person != person_id:
            raise NotFound()
        await scope.delete(PushSubscription).where(PushSubscription.id == device_id)


async def subscription(scope: TenantScope, device_id: int) -> PushSubscription | None:
    return await scope.get(PushSubscription, device_id)


async def forget(scope: TenantScope, device_id: int) -> None:
    """The push service says the subscription is gone (404/410): it goes here too."""
    await scope.delete(PushSubscription).where(PushSubscription.id == device_id)


async def mark_sent(scope: TenantScope, device_id: int) -> None:
    await scope.update(PushSubscription, {PushSubscription.last_sent_at: clock.now()}).where(
        PushSubscription.id == device_id)
