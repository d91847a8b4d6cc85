"""The second factor: /login/second-factor (the step after the password or code) and
/account/second-factor (turning TOTP on with a QR code, and off)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.accounts import second_factor, totp
from core.accounts.account_routes import _person
from core.accounts.guards import safe_next
from core.accounts.routes import start_session
from core.accounts.tables import Person
from core.audit import services as audit
from core.accounts.codes import TooManyRequests
from core.i18n import Message
from core.throttle import LOGIN_PER_ACCOUNT
from core.web.client import client_address
from core.web.forms import form_data, rerender, see_other


class SecondFactorLoginController(Controller):
    path = "/login/second-factor"
    opt = {"auth": "none"}

    def _pending(self, request: Request):
        return second_factor.read_pending(request.app.state.settings,
                                          request.cookies.get(second_factor.PENDING_COOKIE))

    @get("/", name="login_second_factor")
    async def form(self, request: Request) -> Response:
        if self._pending(request) is None:
            return Redirect("/login", status_code=303)
        return Template("accounts/second_factor_login.html", context={"values": {}, "errors": {}})

    @post("/", status_code=303)
    async def check(self, request: Request) -> Response:
        pending = self._pending(request)
        if pending is None:
            return see_other("/login")
        person_id, destination = pending
        verdict = await request.app.state.throttle.hit(LOGIN_PER_ACCOUNT, f"second-factor:{person_id}")
        if not verdict.allowed:
            raise TooManyRequests(verdict.retry_after)
        person = await Person.objects().where(Person.id == person_id).first()
        code = (await form_data(request)).get("code", "")
        if person is None or not await second_factor.verify(request.app.state.settings, person, code,
                                                            allow_recovery=True):
            await audit.record(audit.LOGIN_FAILED, actor_id=person_id, client_address=client_address(request),
                               reason="second factor")
            return rerender("accounts/second_factor_login.html", {},
                            {"code": Message("The code is not right.")}, status_code=400)
        return await start_session(request, person, destination)


class SecondFactorAccountController(Controller):
    path = "/account/second-factor"
    opt = {"auth": "session"}

    async def _page(self, request: Request, person: Person, errors=None, recovery_codes=None, next_path="",
                    status_code=200) -> Template:
        settings = request.app.state.settings
        secret = None
        if person.totp_enabled_at is None:
            secret = second_factor.pending_secret(settings, person) or await second_factor.start_enrolment(
                settings, person)
        account = person.phone or person.email or str(person.id)
        uri = totp.provisioning_uri(secret, account) if secret else ""
        return Template("accounts/second_factor.html", status_code=status_code, context={
            "person": person, "secret": secret, "uri": uri, "qr": totp.qr_svg_data_uri(uri) if uri else "",
            "errors": errors or {}, "values": {}, "recovery_codes": recovery_codes,
            "required": request.query_params.get("required") == "1", "next": next_path})

    @get("/", name="account_second_factor")
    async def show(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return await self._page(request, await _person(request), next_path=safe_next(next, ""))

    @post("/", status_code=200)
    async def turn_on(self, request: Request) -> Template:
        person = await _person(request)
        data = await form_data(request)
        next_path = safe_next(data.get("next"), "")
        if person.totp_enabled_at is not None:
            return await self._page(request, person, next_path=next_path)
        if not await second_factor.verify(request.app.state.settings, person, data.get("code", ""),
                                          allow_recovery=False):
            return await self._page(request, person, {"code": str(Message("The code is not right."))},
                                    next_path=next_path, status_code=422)
        codes = await second_factor.enable(person)
        person = await _person(request)
        return await self._page(request, person, recovery_codes=codes, next_path=next_path)

    @post("/off", status_code=303)
    async def turn_off(self, request: Request) -> Response:
        person = await _person(request)
        code = (await form_data(request)).get("code", "")
        if not await second_factor.verify(request.app.state.settings, person, code, allow_recovery=True):
            return await self._page(request, person, {"off_code": str(Message("The code is not right."))},
                                    status_code=422)
        await second_factor.disable(person)
        return see_other("/account/second-factor")
