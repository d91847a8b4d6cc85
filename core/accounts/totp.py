"""A second factor for staff: TOTP (RFC 6238) with recovery codes.

The secret is kept encrypted (AES-GCM, a key derived from the master key); a code is
accepted once (the last accepted time step is remembered) within one step either side.
Ten recovery codes, each usable once, are shown when TOTP is turned on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import struct
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core import clock
from core.config import Settings
from core.secrets import derived_key

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODES = 10
ISSUER = "Gongzhi"


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def code_at(secret: str, step: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10 ** DIGITS:0{DIGITS}d}"


def current_step() -> int:
    return int(clock.now().timestamp() // STEP_SECONDS)


def matching_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step ``code`` belongs to (now ± one step), if it is newer than ``last_step``."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != DIGITS:
        return None
    now = current_step()
    for step in (now - 1, now, now + 1):
        if step > last_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    label = quote(f"{ISSUER}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"


def qr_svg_data_uri(uri: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def encrypt(settings: Settings, secret: str, person_id: int) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(derived_key(settings, "totp")).encrypt(nonce, secret.encode(), str(person_id).encode())
    return base64.b64encode(nonce + sealed).decode()


def decrypt(settings: Settings, stored: str, person_id: int) -> str:
    raw = base64.b64decode(stored)
    return AESGCM(derived_key(settings, "totp")).decrypt(raw[:12], raw[12:], str(person_id).encode()).decode()


def new_recovery_codes() -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
            for _ in range(RECOVERY_CODES)]


def recovery_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace(" ", "").encode()).hexdigest()
