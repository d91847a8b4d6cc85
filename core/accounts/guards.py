"""Who may do what: checks that routes call before they act."""

from __future__ import annotations

from collections.abc import Iterable

from litestar import Request

from core.accounts import services
from core.accounts.roles import CONSOLE_ROLES
from core.accounts.services import Actor
from core.errors import GongzhiError, NotAuthenticated, PermissionDenied
from core.i18n import Message


class NotSignedIn(NotAuthenticated):
    """The page needs a signed-in person; pages answer with a redirect to the log-in form."""

    def __init__(self) -> None:
        super().__init__(Message("Please sign in first."))


class SecondFactorRequired(GongzhiError):
    """The district requires staff to use a second factor, and this person has none yet;
    pages answer with a redirect to set it up."""

    status_code = 403
    title = "Forbidden"

    def __init__(self) -> None:
        super().__init__(Message("This district requires staff to use a second factor. Set it up first."))


def current_actor(request: Request) -> Actor | None:
    return request.scope.get("state", {}).get("actor")


def signed_in(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise NotSignedIn()
    return actor


def platform_role(request: Request, role: str) -> Actor:
    actor = signed_in(request)
    if not actor.has_platform_role(role):
        raise PermissionDenied(Message("This page is for the platform's administrators."))
    return actor


async def tenant_roles(request: Request, allowed: Iterable[str]) -> tuple[Actor, frozenset[str]]:
    """The actor and their roles in the request's district, if they hold one of ``allowed``."""
    actor = signed_in(request)
    tenant = request.scope["state"]["tenant"]
    roles = await services.roles_in(tenant.scope, actor.id)
    if not roles & set(allowed):
        raise PermissionDenied(Message("Your account has no role here that opens this page."))
    if tenant.require_staff_totp and roles & CONSOLE_ROLES and not actor.has_second_factor:
        raise SecondFactorRequired()
    return actor, roles


def safe_next(value: str | None, default: str) -> str:
    """Where to go after signing in: only a path on this site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
