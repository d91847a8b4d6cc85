"""One-time codes: 6 digits, 5 minutes, single use, 5 tries, sends throttled.

Sent by SMS through the gateway hook, or by email. Only a keyed hash of each code is
stored. Asking for a new code ends the earlier ones for the same purpose and address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from core import clock, db
from core.accounts.tables import OneTimeCode
from core.audit import services as audit
from core.config import Settings
from core.errors import GongzhiError
from core.forms import FieldError
from core.i18n import Message, current_language, gettext
from core.messaging.email import send_email
from core.messaging.gateway import sms_gateway
from core.secrets import derived_key
from core.throttle import CODE_SENDS_PER_ADDRESS, CODE_SENDS_PER_TARGET, Throttle

LIFETIME = timedelta(minutes=5)
LINK_LIFETIME = timedelta(minutes=30)
MAX_ATTEMPTS = 5
PURPOSES = ("register", "login", "reset")


class TooManyRequests(GongzhiError):
    status_code = 429
    title = "Too many requests; please wait a moment"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(Message("Too many tries. Please try again in %(minutes)d minutes.", {"minutes": minutes}))
        self.retry_after = retry_after


class NotDelivered(GongzhiError):
    status_code = 503
    title = "Something went wrong on our side"

    def __init__(self) -> None:
        super().__init__(Message("The code could not be sent just now. Please try again."))


def _hash(settings: Settings, purpose: str, target: str, code: str) -> str:
    key = derived_key(settings, "one-time-codes")
    return hmac.new(key, f"{purpose}:{target}:{code}".encode(), hashlib.sha256).hexdigest()


async def issue(settings: Settings, throttle: Throttle, purpose: str, kind: str, target: str,
                client_address: str, *, send: bool = True) -> None:
    """Make a code for ``target`` and send it. ``send=False`` (no account has ``target``) does
    the same work but the sending: the code is made and kept, so that checking it answers as
    for an account that exists, and the request is counted and audited alike."""
    assert purpose in PURPOSES
    for limit, subject in ((CODE_SENDS_PER_TARGET, target), (CODE_SENDS_PER_ADDRESS, client_address)):
        verdict = await throttle.hit(limit, subject)
        if not verdict.allowed:
            raise TooManyRequests(verdict.retry_after)
    if not send:
        link = kind == "email" and purpose == "reset"
        unsent = secrets.token_urlsafe(24) if link else f"{secrets.randbelow(1_000_000):06d}"
        await _store(settings, purpose, target, unsent, LINK_LIFETIME if link else LIFETIME)
        await audit.record(audit.CODE_SENT, target=f"{kind}:{_masked(target)}", client_address=client_address,
                           purpose=purpose, provider="", accepted=False, withheld="no account")
        return
    if kind == "email" and purpose == "reset":
        # By email, a reset is a link (a long token, 30 minutes) rather than a code to type.
        token = secrets.token_urlsafe(24)
        await _store(settings, purpose, target, token, LINK_LIFETIME)
        link = f"{settings.public_url}/password/reset/link?{urlencode({'to': target, 'token': token})}"
        body = gettext("To choose a new Gongzhi password, open this link within 30 minutes:\n\n%(link)s\n\n"
                       "If you did not ask for it, ignore this message.", link=link)
        result = await send_email(settings, target, gettext("Reset your Gongzhi password"), body)
    else:
        code = f"{secrets.randbelow(1_000_000):06d}"
        await _store(settings, purpose, target, code, LIFETIME)
        if kind == "phone":
            result = await sms_gateway(settings).send_code(target, code, purpose, current_language())
        else:
            body = gettext("Your Gongzhi code is %(code)s. It expires in 5 minutes. "
                           "If you did not ask for it, ignore this message.", code=code)
            result = await send_email(settings, target, gettext("Your Gongzhi code"), body)
    await audit.record(audit.CODE_SENT, target=f"{kind}:{_masked(target)}", client_address=client_address,
                       purpose=purpose, provider=result.provider, accepted=result.accepted)
    if not result.accepted:
        raise NotDelivered()


async def _store(settings: Settings, purpose: str, target: str, secret: str, lifetime: timedelta) -> None:
    """Keep the new code's hash; earlier codes for the same purpose and target end."""
    now = clock.now()
    async with db.transaction(write=True):
        await OneTimeCode.update({OneTimeCode.used_at: now}).where(
            OneTimeCode.purpose == purpose, OneTimeCode.target == target, OneTimeCode.used_at.is_null())
        await OneTimeCode(purpose=purpose, target=target, code_hash=_hash(settings, purpose, target, secret),
                          created_at=now, expires_at=now + lifetime).save()


def _masked(target: str) -> str:
    if "@" in target:
        name, _at, domain = target.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{target[:3]}****{target[-4:]}"


async def check(settings: Settings, purpose: str, target: str, code: str) -> None:
    """Accept ``code`` for ``target`` once; raises :class:`FieldError` with the reason otherwise."""
    code = (code or "").strip()
    if not code:
        raise FieldError(Message("This field is required."))
    failure = await _check_once(settings, purpose, target, code)
    if failure is not None:
        raise FieldError(failure)


async def _check_once(settings: Settings, purpose: str, target: str, code: str) -> Message | None:
    # A wrong answer must be counted even though the check fails: the transaction commits
    # and the caller raises afterwards.
    async with db.transaction(write=True):
        query = (
            OneTimeCode.objects()
            .where(OneTimeCode.purpose == purpose, OneTimeCode.target == target)
            .order_by(OneTimeCode.id, ascending=False)
        )
        if not db.is_sqlite():
            query = query.lock_rows()  # two checks of one code: the second waits, then sees it used
        latest = await query.first()
        if latest is None:
            return Message("No code was sent for this; ask for a code first.")
        if latest.used_at is not None:
            return Message("This code was already used; ask for a new one.")
        if latest.expires_at <= clock.now():
            return Message("This code has expired; ask for a new one.")
        if latest.attempts >= MAX_ATTEMPTS:
            return Message("Too many wrong codes; ask for a new one.")
        if not hmac.compare_digest(latest.code_hash, _hash(settings, purpose, target, code)):
            attempts = latest.attempts + 1
            await OneTimeCode.update({OneTimeCode.attempts: attempts}).where(OneTimeCode.id == latest.id)
            left = MAX_ATTEMPTS - attempts
            if left <= 0:
                return Message("Too many wrong codes; ask for a new one.")
            return Message("The code is not right; %(left)d tries left.", {"left": left})
        await OneTimeCode.update({OneTimeCode.used_at: clock.now()}).where(OneTimeCode.id == latest.id)
    return None
