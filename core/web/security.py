"""Security headers on every response.

Content-Security-Policy allows no inline script at all; the one inline style (a district's
theme colour) carries a per-response nonce. Pages cannot be framed. HSTS is sent when the
request came over HTTPS (or cookies are marked secure, i.e. behind an HTTPS proxy).
"""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope


def csp_nonce(scope: Scope) -> str:
    """This response's nonce for inline styles (made when a template first asks)."""
    state = scope.setdefault("state", {})
    if "csp_nonce" not in state:
        state["csp_nonce"] = secrets.token_urlsafe(16)
    return state["csp_nonce"]


def _policy(nonce: str | None) -> str:
    style = "style-src 'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        style,
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    nonce = scope.get("state", {}).get("csp_nonce")
    headers.setdefault("content-security-policy", _policy(nonce))
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "strict-origin-when-cross-origin")
    headers.setdefault("x-frame-options", "DENY")
    headers.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=(self)")
    handler = scope.get("route_handler")
    if handler is not None and (handler.opt or {}).get("private"):
        # A private page (a plugin's health record…): no cache keeps it, the service worker's included.
        headers["cache-control"] = "no-store"
    settings = scope["app"].state.settings
    if scope.get("scheme") == "https" or settings.secure_cookies:
        headers.setdefault("strict-transport-security", "max-age=31536000; includeSubDomains")
