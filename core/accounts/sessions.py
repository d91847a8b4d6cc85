"""Server-side sessions: the cookie holds a random token, the database a hash of it.

A session ends at log-out, after its idle timeout without use (30 minutes for staff, two
weeks for residents, both configurable), or ``LIFETIME`` after log-in.
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
from core.accounts.tables import Session
from core.web.context import cookie_from_scope

COOKIE_NAME = "gongzhi_session"
LIFETIME = timedelta(days=30)
# last_seen_at is written at most this often, so that reads stay reads.
TOUCH_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()




async def start(person_id: int, idle: timedelta, user_agent: str = "", client_address: str = "",
                replacing: str | None = None) -> str:
    """A new session for the person; returns the token for the cookie.

    ``replacing`` is the token the browser held before: that session ends, so a log-in
    always gets a fresh token (no session fixation).
    """
    if replacing:
        await end(replacing)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await Session(
        token_hash=token_hash(token), person=person_id, created_at=now, last_seen_at=now,
        expires_at=now + LIFETIME, idle_seconds=int(idle.total_seconds()), user_agent=user_agent[:255],
        client_address=client_address[:64],
    ).save()
    return token


async def idle_timeout(settings, person_id: int) -> timedelta:
    """Staff and admins (anyone with a console or platform role) get the short idle timeout."""
    from core.accounts.roles import CONSOLE_ROLES
    from core.platform_scope import person_memberships

    if await services.platform_roles(person_id):
        return timedelta(minutes=settings.staff_idle_minutes)
    if any(roles & CONSOLE_ROLES for roles in (await person_memberships(person_id)).values()):
        return timedelta(minutes=settings.staff_idle_minutes)
    return timedelta(days=settings.resident_idle_days)


async def end(token: str) -> None:
    await Session.delete().where(Session.token_hash == token_hash(token))


async def actor_for_token(token: str) -> services.Actor | None:
    if not token or len(token) > 100:
        return None
    # The session, its person and their platform roles in one query (a row per role): this
    # runs on every request.
    rows = await Session.raw(_LOOKUP, token_hash(token))
    if not rows:
        return None
    row = rows[0]
    now = clock.now()
    if row["expires_at"] <= now or row["last_seen_at"] + timedelta(seconds=row["idle_seconds"]) <= now:
        await Session.delete().where(Session.id == row["id"])
        return None
    if now - row["last_seen_at"] >= TOUCH_EVERY:
        await Session.update({Session.last_seen_at: now}).where(Session.id == row["id"])
    return services.Actor(
        id=row["person_id"], display_name=row["display_name"], phone=row["phone"], email=row["email"],
        platform_roles=frozenset(r["role"] for r in rows if r["role"] is not None),
        has_second_factor=row["totp_enabled_at"] is not None)


_LOOKUP = (
    "SELECT s.id, s.expires_at, s.last_seen_at, s.idle_seconds, p.id AS person_id, p.display_name, p.phone, "
    "p.email, p.totp_enabled_at, r.role FROM accounts_session s JOIN accounts_person p ON p.id = s.person "
    "LEFT JOIN accounts_platform_role r ON r.person = p.id WHERE s.token_hash = {}"
)


def cookie(token: str, *, secure: bool) -> Cookie:
    return Cookie(key=COOKIE_NAME, value=token, path="/", httponly=True, samesite="lax", secure=secure,
                  max_age=int(LIFETIME.total_seconds()))


def expired_cookie(*, secure: bool) -> Cookie:
    return Cookie(key=COOKIE_NAME, value="", path="/", httponly=True, samesite="lax", secure=secure, max_age=0)


class SessionMiddleware(ASGIMiddleware):
    """Puts the signed-in person (an :class:`~core.accounts.services.Actor`) on ``scope["state"]["actor"]``."""

    scopes = (ScopeType.HTTP,)
    # Whether the process answers, and the static files, do not depend on who asks (nor on the
    # database being reachable).
    exclude_path_pattern = ("^/healthz$", "^/readyz$", "^/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = cookie_from_scope(scope, COOKIE_NAME)
        state = scope.setdefault("state", {})
        state["actor"] = await actor_for_token(token) if token else None
        await next_app(scope, receive, send)
