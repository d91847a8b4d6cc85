"""A push service on 127.0.0.1 that does what a browser's vendor and the browser do together:
it takes a push message (RFC 8030), checks its VAPID signature (RFC 8292) and decrypts it with
the subscription's private key (RFC 8291, aes128gcm), so a test reads what the phone would show.
It answers what a test asks for (201 by default; 410 for a subscription that is gone)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """One browser's subscription: its endpoint here, and the keys only the browser holds."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return _b64(self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                               serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return _b64(self.auth_secret)

    def subscription(self) -> dict:
        """As ``PushSubscription.toJSON()`` gives it."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Delivery:
    device: str
    status: int
    headers: dict[str, str]
    claims: dict
    vapid_key: str
    message: dict


class VapidRefused(Exception):
    pass


def check_vapid(authorization: str, audience: str) -> tuple[dict, str]:
    """The claims and public key of a ``vapid t=…, k=…`` header, its signature verified."""
    scheme, _, rest = authorization.partition(" ")
    if scheme != "vapid":
        raise VapidRefused(f"scheme {scheme!r}")
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    token, key = parts["t"], parts["k"]
    header, claims, signature = token.split(".")
    if json.loads(_unb64(header)) != {"typ": "JWT", "alg": "ES256"}:
        raise VapidRefused("header")
    raw = _unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
    try:
        public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                      f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise VapidRefused("signature") from error
    decoded = json.loads(_unb64(claims))
    if decoded.get("aud") != audience:
        raise VapidRefused(f"audience {decoded.get('aud')!r}")
    if not time.time() < decoded["exp"] <= time.time() + 24 * 3600:
        raise VapidRefused("expiry")
    if not str(decoded.get("sub", "")).startswith(("mailto:", "https://")):
        raise VapidRefused("subject")
    return decoded, key


class PushReceiver:
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.answers: dict[str, int] = {}
        self.deliveries: list[Delivery] = []
        self.refused: list[str] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                receiver._receive(self)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "PushReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def device(self, name: str) -> Device:
        self.devices[name] = Device(name, f"{self.origin}/push/{name}")
        return self.devices[name]

    def answer(self, name: str, status: int) -> None:
        """What the push service answers for ``name`` from now on (201: accepted)."""
        self.answers[name] = status

    def received(self, name: str) -> list[dict]:
        return [delivery.message for delivery in self.deliveries if delivery.device == name and delivery.status == 201]

    def wait_for(self, name: str, count: int = 1, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received(name)) < count and time.monotonic() < deadline:
                self._arrived.wait(timeout=max(0.0, deadline - time.monotonic()))
        return self.received(name)

    def _receive(self, request: BaseHTTPRequestHandler) -> None:
        name = urlsplit(request.path).path.removeprefix("/push/")
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in request.headers.items()}
        status = self.answers.get(name, 201)
        try:
            device = self.devices[name]
            if headers.get("content-encoding") != "aes128gcm" or not headers.get("ttl", "").isdigit():
                raise VapidRefused("content-encoding or TTL")
            claims, key = check_vapid(headers.get("authorization", ""), self.origin)
            message = json.loads(http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth_secret,
                                                  version="aes128gcm"))
        except (KeyError, ValueError, VapidRefused) as error:
            self.refused.append(f"{name}: {error!r}")
            status, claims, key, message = 400, {}, "", {}
        with self._arrived:
            self.deliveries.append(Delivery(name, status, headers, claims, key, message))
            self._arrived.notify_all()
        request.send_response(status)
        if status == 201:
            request.send_header("Location", f"{self.origin}/messages/{len(self.deliveries)}")
        request.send_header("Content-Length", "0")
        request.end_headers()
