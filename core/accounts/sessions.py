"""Server-side sessions: the cookie holds a random token, the database a hash of it.

A session ends at log-out, after ``IDLE`` without use, or ``LIFETIME`` after log-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from core import clock
from core.accounts import services
from core.accounts.tables import Person, Session

COOKIE_NAME = "gongzhi_session"
LIFETIME = timedelta(days=30)
IDLE = timedelta(days=7)
# last_seen_at is written at most this often, so that reads stay reads.
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(person_id: int, user_agent: str = "") -> str:
    """A new session for the person; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await Session(
        token_hash=_hash(token), person=person_id, created_at=now, last_seen_at=now,
        expires_at=now + LIFETIME, user_agent=user_agent[:255],
    ).save()
    return token


async def end(token: str) -> None:
    await Session.delete().where(Session.token_hash == _hash(token))


async def actor_for_token(token: str) -> services.Actor | None:
    if not token or len(token) > 100:
        return None
    session = await Session.objects().where(Session.token_hash == _hash(token)).first()
    if session is None:
        return None
    now = clock.now()
    if session.expires_at <= now or session.last_seen_at + IDLE <= now:
        await Session.delete().where(Session.id == session.id)
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        await Session.update({Session.last_seen_at: now}).where(Session.id == session.id)
    person = await Person.objects().where(Person.id == session.person).first()
    return await services.actor_for(person) if person else None


def cookie(token: str, *, secure: bool) -> Cookie:
    return Cookie(key=COOKIE_NAME, value=token, path="/", httponly=True, samesite="lax", secure=secure,
                  max_age=int(LIFETIME.total_seconds()))


def expired_cookie(*, secure: bool) -> Cookie:
    return Cookie(key=COOKIE_NAME, value="", path="/", httponly=True, samesite="lax", secure=secure, max_age=0)


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _sep, val = part.strip().partition("=")
                if key == COOKIE_NAME:
                    return val
    return None


class SessionMiddleware(ASGIMiddleware):
    """Puts the signed-in person (an :class:`~core.accounts.services.Actor`) on ``scope["state"]["actor"]``."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = _cookie_value(scope)
        state = scope.setdefault("state", {})
        state["actor"] = await actor_for_token(token) if token else None
        await next_app(scope, receive, send)
