"""/password/reset: a forgotten password, reset by a code (phone) or a link (email).

Every answer reads the same whether or not an account exists for what was typed.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from core.accounts import codes, passwords, services
from core.accounts.routes import complete_sign_in
from core.accounts.tables import Person, Session
from core.audit import services as audit
from core.errors import ValidationFailed
from core.forms import FieldError, Form
from core.i18n import Message
from core.web.client import client_address
from core.web.forms import form_data, rerender

TEMPLATE = "accounts/reset.html"


async def _set_password(request: Request, person: Person, password: str) -> Response:
    person.password_hash = passwords.hash_password(password)
    await person.save([Person.password_hash])
    await Session.delete().where(Session.person == person.id)  # every device signs in again
    await audit.record(audit.PASSWORD_RESET, actor_id=person.id, client_address=client_address(request))
    return await complete_sign_in(request, person, "/account?saved=password")


def _new_password(form: Form, identifier_value: str) -> str | None:
    password = form.field("password", services.clean_password)
    if password and passwords.is_weak(password, identifier_value):
        form.error("password", Message(passwords.WEAK_MESSAGE))
    return password


async def _reset(request: Request, *, secret_field: str, step: str, used: Message) -> Response:
    """The last step of a reset: the code (or the link's token) and the new password."""
    data = await form_data(request)
    form = Form(data)
    identifier = form.field("identifier", services.clean_identifier)
    _new_password(form, identifier.value if identifier else "")
    try:
        form.raise_if_invalid()
        await codes.check(request.app.state.settings, "reset", identifier.value, data.get(secret_field, ""))
    except ValidationFailed as error:
        return rerender(TEMPLATE, data, error, step=step)
    except FieldError as error:
        return rerender(TEMPLATE, data, {secret_field: error.message}, step=step)
    person = await services.find_person(identifier)
    if person is None:  # a code is only ever sent to an account that exists
        return rerender(TEMPLATE, data, {secret_field: used}, step=step)
    return await _set_password(request, person, form.cleaned["password"])


class PasswordResetController(Controller):
    path = "/password/reset"
    opt = {"auth": "none"}

    @get("/", name="password_reset")
    async def form(self) -> Template:
        return Template(TEMPLATE, context={"values": {}, "errors": {}, "step": "ask"})

    @post("/", status_code=200)
    async def ask(self, request: Request) -> Response:
        data = await form_data(request)
        form = Form(data)
        identifier = form.field("identifier", services.clean_identifier)
        try:
            form.raise_if_invalid()
        except ValidationFailed as error:
            return rerender(TEMPLATE, data, error, step="ask")
        exists = await services.find_person(identifier) is not None
        await codes.issue(request.app.state.settings, request.app.state.throttle, "reset", identifier.kind,
                          identifier.value, client_address(request), send=exists)
        step = "code" if identifier.kind == "phone" else "email_sent"
        return Template(TEMPLATE, context={"values": {"identifier": identifier.value}, "errors": {}, "step": step})

    @post("/code", status_code=303)
    async def by_code(self, request: Request) -> Response:
        return await _reset(request, secret_field="code", step="code",
                            used=Message("This code was already used; ask for a new one."))

    @get("/link", name="password_reset_link")
    async def link_form(self, to: FromQuery[str] = "", token: FromQuery[str] = "") -> Template:
        return Template(TEMPLATE, context={"values": {"identifier": to, "token": token}, "errors": {},
                                           "step": "link"})

    @post("/link", status_code=303)
    async def by_link(self, request: Request) -> Response:
        return await _reset(request, secret_field="token", step="link",
                            used=Message("This link was already used; ask for a new one."))
