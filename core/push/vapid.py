"""The deployment's VAPID key (RFC 8292): it signs every push message, and browsers bind their
subscriptions to its public half.

It is derived from the master key (``core.secrets``), so it is made on first run with the
master key, is the same in every app and worker process of a deployment, and is never in the
database. A new master key makes a new VAPID key: push services then refuse the old
subscriptions (Gongzhi removes them as they are refused) and residents turn notifications on again.
"""

from __future__ import annotations

import base64
from email.utils import parseaddr
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from core.config import Settings
from core.secrets import derived_key

# The order of the P-256 group: a private key is an integer in [1, ORDER - 1].
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@cache
def _private_key(seed: bytes) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(seed, "big") % (ORDER - 1) + 1, ec.SECP256R1())


def private_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    return _private_key(derived_key(settings, "vapid"))


def signer(settings: Settings) -> Vapid02:
    return Vapid02(private_key=private_key(settings))


def application_server_key(settings: Settings) -> str:
    """The public key, as ``pushManager.subscribe`` takes it (an uncompressed point, base64url)."""
    point = private_key(settings).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def subject(settings: Settings) -> str:
    """How a push service reaches the operator: the site when it is served over HTTPS, else the
    sender address of Gongzhi's email."""
    if settings.public_url.startswith("https://"):
        return settings.public_url
    return "mailto:" + (parseaddr(settings.mail_from)[1] or "no-reply@gongzhi.localhost")
