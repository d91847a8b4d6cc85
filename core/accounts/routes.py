"""Signing in and out: by password or by one-time code, on the platform (/login) and inside
a district (/t/{slug}/login)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.accounts import codes, second_factor, services, sessions
from core.accounts import roles as role_names
from core.accounts.guards import safe_next
from core.audit import services as audit
from core.errors import ValidationFailed
from core.forms import FieldError, Form
from core.i18n import Message
from core.throttle import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS
from core.web.client import client_address
from core.web.context import ELDERLY_COOKIE, LANGUAGE_COOKIE
from core.web.forms import form_data, rerender, see_other

if TYPE_CHECKING:
    from tenants.resolution import ResolvedTenant



def _tenant(request: Request) -> ResolvedTenant | None:
    return request.scope.get("state", {}).get("tenant")


async def _default_destination(request: Request, person: Any) -> str:
    """In a district: its console for staff, its home for others. On the platform: /admin for
    platform admins, else the landing page."""
    tenant = _tenant(request)
    if tenant is not None:
        held = await services.roles_in(tenant.scope, person.id)
        return f"/t/{tenant.slug}/console/" if held & role_names.CONSOLE_ROLES else f"/t/{tenant.slug}/"
    held = await services.platform_roles(person.id)
    return "/admin" if role_names.PLATFORM_ADMIN in held else "/"


async def complete_sign_in(request: Request, person: Any, next_path: str = "") -> Response:
    """The first step passed (password, code or invitation): go on to ``next`` (else the
    default destination), through the second factor first when the person has one."""
    settings = request.app.state.settings
    destination = next_path or await _default_destination(request, person)
    if person.totp_enabled_at is not None:
        response = see_other("/login/second-factor")
        response.set_cookie(second_factor.PENDING_COOKIE,
                            second_factor.pending_token(settings, person.id, destination), path="/",
                            httponly=True, samesite="lax", secure=settings.secure_cookies,
                            max_age=int(second_factor.PENDING_LIFETIME.total_seconds()))
        return response
    return await start_session(request, person, destination)


async def start_session(request: Request, person: Any, destination: str) -> Response:
    """A fresh session for ``person`` (replacing the browser's old one), then ``destination``."""
    settings = request.app.state.settings
    tenant = _tenant(request)
    token = await sessions.start(
        person.id,
        await sessions.idle_timeout(settings, person.id),
        request.headers.get("user-agent", ""),
        client_address(request),
        replacing=request.cookies.get(sessions.COOKIE_NAME),
    )
    await audit.record(audit.LOGIN_SUCCEEDED, actor_id=person.id, tenant_id=tenant.id if tenant else None,
                       client_address=client_address(request))
    response = see_other(destination)
    response.cookies.append(sessions.cookie(token, secure=settings.secure_cookies))
    response.delete_cookie(second_factor.PENDING_COOKIE, path="/")
    preferences(response, settings, language=person.language or None, elderly=person.elderly_mode)
    return response


def preferences(response: Response, settings: Any, *, language: str | None = None,
                elderly: bool | None = None) -> None:
    """Remember a person's language and elderly mode in this browser."""
    year = 365 * 24 * 3600
    if language:
        response.set_cookie(LANGUAGE_COOKIE, language, path="/", samesite="lax",
                            secure=settings.secure_cookies, max_age=year)
    if elderly is not None:
        response.set_cookie(ELDERLY_COOKIE, "1" if elderly else "0", path="/", samesite="lax",
                            secure=settings.secure_cookies, max_age=year)


def _login_context(request: Request, next_path: str, **extra: Any) -> dict[str, Any]:
    return {"next": next_path, "tenant": _tenant(request), **extra}


async def _password_sign_in(request: Request) -> Response:
    data = await form_data(request)
    next_path = safe_next(data.get("next"), "")
    context = _login_context(request, next_path)
    form = Form(data)
    identifier = form.field("identifier", services.clean_identifier)
    password = data.get("password") or ""
    if not password:
        form.error("password", Message("This field is required."))
    try:
        form.raise_if_invalid()
    except ValidationFailed as error:
        return rerender("accounts/login.html", data, error, **context)

    throttle = request.app.state.throttle
    address = client_address(request)
    for limit, subject in ((LOGIN_PER_ADDRESS, address), (LOGIN_PER_ACCOUNT, identifier.value)):
        verdict = await throttle.hit(limit, subject)
        if not verdict.allowed:
            await audit.record(audit.LOGIN_FAILED, target=f"{identifier.kind}", client_address=address,
                               reason="throttled")
            raise codes.TooManyRequests(verdict.retry_after)
    try:
        person = await services.authenticate(identifier, password)
    except services.AuthenticationFailed as error:
        await audit.record(audit.LOGIN_FAILED, target=identifier.kind, client_address=address,
                           tenant_id=context["tenant"].id if context["tenant"] else None)
        return rerender("accounts/login.html", data, {"password": error.detail}, status_code=400, **context)
    return await complete_sign_in(request, person, next_path)


async def _send_login_code(request: Request) -> Response:
    """Step 1 of signing in by code. The answer is the same whether or not the account exists."""
    data = await form_data(request)
    next_path = safe_next(data.get("next"), "")
    context = _login_context(request, next_path, step="send")
    form = Form(data)
    identifier = form.field("identifier", services.clean_identifier)
    try:
        form.raise_if_invalid()
    except ValidationFailed as error:
        return rerender("accounts/login_code.html", data, error, **context)
    exists = await services.find_person(identifier) is not None
    await codes.issue(request.app.state.settings, request.app.state.throttle, "login", identifier.kind,
                      identifier.value, client_address(request), send=exists)
    return rerender("accounts/login_code.html", data, {}, status_code=200, **{**context, "step": "check"})


async def _check_login_code(request: Request) -> Response:
    data = await form_data(request)
    next_path = safe_next(data.get("next"), "")
    context = _login_context(request, next_path, step="check")
    form = Form(data)
    identifier = form.field("identifier", services.clean_identifier)
    try:
        form.raise_if_invalid()
        await codes.check(request.app.state.settings, "login", identifier.value, data.get("code", ""))
    except ValidationFailed as error:
        return rerender("accounts/login_code.html", data, error, **{**context, "step": "send"})
    except FieldError as error:
        return rerender("accounts/login_code.html", data, {"code": error.message}, **context)
    person = await services.find_person(identifier)
    if person is None:  # a code is only ever sent to an account that exists
        return rerender("accounts/login_code.html", data, {"code": Message("This code was already used; ask for a new one.")}, **context)
    return await complete_sign_in(request, person, next_path)


class LoginController(Controller):
    path = "/login"
    opt = {"auth": "none"}

    @get("/", name="login")
    async def form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("accounts/login.html", context={"values": {}, "errors": {}, "next": safe_next(next, "")})

    @post("/", status_code=303)
    async def submit(self, request: Request) -> Response:
        return await _password_sign_in(request)

    @get("/code", name="login_code")
    async def code_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("accounts/login_code.html",
                        context={"values": {}, "errors": {}, "next": safe_next(next, ""), "step": "send"})

    @post("/code", status_code=200)
    async def send_code(self, request: Request) -> Response:
        return await _send_login_code(request)

    @post("/code/check", status_code=303)
    async def check_code(self, request: Request) -> Response:
        return await _check_login_code(request)


class DistrictLoginController(LoginController):
    path = "/t/{slug:str}/login"

    @get("/", name="district_login")
    async def form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("accounts/login.html", context={
            "values": {}, "errors": {}, "next": safe_next(next, ""), "tenant": request.state.tenant})

    @get("/code", name="district_login_code")
    async def code_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("accounts/login_code.html", context={
            "values": {}, "errors": {}, "next": safe_next(next, ""), "step": "send", "tenant": request.state.tenant})


@post("/logout", status_code=303, name="logout", opt={"auth": "session"})
async def logout(request: Request) -> Redirect:
    token = request.cookies.get(sessions.COOKIE_NAME)
    actor = request.scope.get("state", {}).get("actor")
    if token:
        await sessions.end(token)
    if actor is not None:
        await audit.record(audit.LOGOUT, actor_id=actor.id, client_address=client_address(request))
    response = see_other(safe_next((await form_data(request)).get("next"), "/"))
    response.cookies.append(sessions.expired_cookie(secure=request.app.state.settings.secure_cookies))
    # What this device kept for the person (pages the service worker cached, the offline queue
    # of forms not yet sent) goes with them; the district's worker registers again on the next page.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
