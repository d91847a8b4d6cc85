"""The second factor in practice: turning TOTP on and off, checking a code or a recovery
code, and the short-lived proof that the password (or SMS code) step passed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

from core import clock, db
from core.accounts import totp
from core.accounts.tables import Person, RecoveryCode
from core.audit import services as audit
from core.config import Settings
from core.secrets import derived_key

PENDING_COOKIE = "gongzhi_second_factor"
PENDING_LIFETIME = timedelta(minutes=5)


async def start_enrolment(settings: Settings, person: Person) -> str:
    """A new secret, kept encrypted but not yet on; returns it for the page (once per visit)."""
    secret = totp.new_secret()
    person.totp_secret = totp.encrypt(settings, secret, person.id)
    person.totp_enabled_at = None
    await person.save([Person.totp_secret, Person.totp_enabled_at])
    return secret


def pending_secret(settings: Settings, person: Person) -> str | None:
    if not person.totp_secret:
        return None
    return totp.decrypt(settings, person.totp_secret, person.id)


async def verify(settings: Settings, person: Person, code: str, *, allow_recovery: bool) -> bool:
    """Accept a TOTP code (once) or, if allowed, an unused recovery code."""
    async with db.transaction(write=True):
        fresh = await Person.objects().where(Person.id == person.id).first()
        secret = pending_secret(settings, fresh)
        step = totp.matching_step(secret, code, fresh.totp_last_step) if secret else None
        if step is not None:
            await Person.update({Person.totp_last_step: step}).where(Person.id == person.id)
            return True
        if allow_recovery and code and fresh.totp_enabled_at is not None:
            row = await RecoveryCode.objects().where(
                RecoveryCode.person == person.id, RecoveryCode.code_hash == totp.recovery_hash(code),
                RecoveryCode.used_at.is_null()).first()
            if row is not None:
                await RecoveryCode.update({RecoveryCode.used_at: clock.now()}).where(RecoveryCode.id == row.id)
                await audit.record("second_factor.recovery_code_used", actor_id=person.id)
                return True
    return False


async def enable(person: Person) -> list[str]:
    """TOTP on; returns ten new recovery codes to show once."""
    codes = totp.new_recovery_codes()
    async with db.transaction(write=True):
        await Person.update({Person.totp_enabled_at: clock.now()}).where(Person.id == person.id)
        await RecoveryCode.delete().where(RecoveryCode.person == person.id)
        for code in codes:
            await RecoveryCode(person=person.id, code_hash=totp.recovery_hash(code)).save()
    await audit.record("second_factor.enabled", actor_id=person.id)
    return codes


async def disable(person: Person) -> None:
    async with db.transaction(write=True):
        await Person.update({Person.totp_secret: None, Person.totp_enabled_at: None}).where(Person.id == person.id)
        await RecoveryCode.delete().where(RecoveryCode.person == person.id)
    await audit.record("second_factor.disabled", actor_id=person.id)


# The proof that the first step passed, carried in a cookie between the two steps --------


def _sign(settings: Settings, payload: bytes) -> str:
    return hmac.new(derived_key(settings, "second-factor"), payload, hashlib.sha256).hexdigest()


def pending_token(settings: Settings, person_id: int, destination: str) -> str:
    payload = json.dumps({"p": person_id, "d": destination,
                          "e": int((clock.now() + PENDING_LIFETIME).timestamp())}).encode()
    return base64.urlsafe_b64encode(payload).decode() + "." + _sign(settings, payload)


def read_pending(settings: Settings, token: str | None) -> tuple[int, str] | None:
    if not token or "." not in token:
        return None
    encoded, signature = token.rsplit(".", 1)
    try:
        payload = base64.urlsafe_b64decode(encoded.encode())
    except ValueError:
        return None
    if not hmac.compare_digest(_sign(settings, payload), signature):
        return None
    data = json.loads(payload)
    if data["e"] < clock.now().timestamp():
        return None
    return int(data["p"]), str(data["d"])
