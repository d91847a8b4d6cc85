"""Log-in and log-out, for the platform (/login) and inside a district (/t/{slug}/login)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.accounts import roles as role_names
from core.accounts import services, sessions
from core.accounts.guards import safe_next
from core.errors import ValidationFailed
from core.forms import Form
from core.i18n import Message
from core.web.forms import form_data, rerender, see_other

if TYPE_CHECKING:
    from tenants.resolution import ResolvedTenant


async def _sign_in(request: Request, tenant: ResolvedTenant | None = None) -> Response:
    """Check the posted log-in form; on success start a session and go on.

    Where to: ``next`` if it is a path on this site; else, inside a district, its console
    for staff or its home for others; on the platform, /admin for platform admins.
    """
    data = await form_data(request)
    next_path = safe_next(data.get("next"), "")
    context = {"next": next_path, "tenant": tenant}
    form = Form(data)
    identifier = form.field("identifier", services.clean_identifier)
    password = data.get("password") or ""
    if not password:
        form.error("password", Message("This field is required."))
    try:
        form.raise_if_invalid()
        person = await services.authenticate(identifier, password)
    except ValidationFailed as error:
        return rerender("accounts/login.html", data, error, **context)
    except services.AuthenticationFailed as error:
        return rerender("accounts/login.html", data, {"password": error.detail}, status_code=400, **context)
    token = await sessions.start(person.id, request.headers.get("user-agent", ""))
    if tenant is not None:
        held = await services.roles_in(tenant.scope, person.id)
        default = f"/t/{tenant.slug}/console/" if held & role_names.CONSOLE_ROLES else f"/t/{tenant.slug}/"
    else:
        held = await services.platform_roles(person.id)
        default = "/admin" if role_names.PLATFORM_ADMIN in held else "/"
    response = see_other(next_path or default)
    response.cookies.append(sessions.cookie(token, secure=request.app.state.settings.secure_cookies))
    return response


class LoginController(Controller):
    path = "/login"

    @get("/", name="login")
    async def form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return Template("accounts/login.html", context={"values": {}, "errors": {}, "next": safe_next(next, "")})

    @post("/", status_code=303)
    async def submit(self, request: Request) -> Response:
        return await _sign_in(request)


class DistrictLoginController(Controller):
    path = "/t/{slug:str}/login"

    @get("/", name="district_login")
    async def form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        tenant = request.state.tenant
        return Template("accounts/login.html",
                        context={"values": {}, "errors": {}, "next": safe_next(next, ""), "tenant": tenant})

    @post("/", status_code=303)
    async def submit(self, request: Request) -> Response:
        return await _sign_in(request, request.state.tenant)


@post("/logout", status_code=303, name="logout")
async def logout(request: Request) -> Redirect:
    token = request.cookies.get(sessions.COOKIE_NAME)
    if token:
        await sessions.end(token)
    response = see_other(safe_next((await form_data(request)).get("next"), "/"))
    response.cookies.append(sessions.expired_cookie(secure=request.app.state.settings.secure_cookies))
    return response

