"""A person's own account: profile (name, language, elderly mode), password, sessions,
the language switch on every page and the elderly-mode switch on a district's home page."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core import i18n
from core.accounts import passwords, personal_data, services, sessions
from core.accounts.guards import safe_next, signed_in
from core.accounts.routes import preferences
from core.accounts.tables import Person, Session
from core.audit import services as audit
from core.errors import NotFound, ValidationFailed
from core.forms import Form
from core.i18n import Message
from core.web.client import client_address
from core.web.forms import form_data, rerender, see_other


async def _person(request: Request) -> Person:
    actor = signed_in(request)
    person = await Person.objects().where(Person.id == actor.id).first()
    if person is None:
        raise NotFound()
    return person


def _this_session(request: Request) -> str:
    """The hash of the session this browser holds (to keep it while ending the others)."""
    return sessions.token_hash(request.cookies.get(sessions.COOKIE_NAME, ""))


def _profile_values(person: Person) -> dict[str, str]:
    return {"display_name": person.display_name, "language": person.language or i18n.current_language(),
            "elderly_mode": "1" if person.elderly_mode else ""}


class AccountController(Controller):
    path = "/account"
    opt = {"auth": "session"}

    @get("/", name="account")
    async def profile(self, request: Request) -> Template:
        person = await _person(request)
        return Template("accounts/account.html", context={
            "person": person, "values": _profile_values(person), "errors": {}, "saved": False})

    @post("/", status_code=200)
    async def save_profile(self, request: Request) -> Response:
        person = await _person(request)
        data = await form_data(request)
        form = Form(data)
        name = form.field("display_name", services.clean_display_name)
        language = data.get("language", "")
        if language not in i18n.LANGUAGES:
            form.error("language", Message("Choose one of the list."))
        try:
            form.raise_if_invalid()
        except ValidationFailed as error:
            return rerender("accounts/account.html", data, error, person=person, saved=False)
        person.display_name, person.language = name, language
        person.elderly_mode = data.get("elderly_mode") == "1"
        await person.save([Person.display_name, Person.language, Person.elderly_mode])
        response = see_other("/account?saved=1")
        preferences(response, request.app.state.settings, language=language, elderly=person.elderly_mode)
        return response

    @get("/password", name="account_password")
    async def password_form(self, request: Request) -> Template:
        person = await _person(request)
        return Template("accounts/password.html", context={"person": person, "values": {}, "errors": {}})

    @post("/password", status_code=303)
    async def change_password(self, request: Request) -> Response:
        person = await _person(request)
        data = await form_data(request)
        form = Form(data)
        if person.password_hash and not passwords.verify_password(person.password_hash, data.get("current", "")):
            form.error("current", Message("This is not your current password."))
        new = form.field("password", services.clean_password)
        if new and passwords.is_weak(new, person.phone or "", person.email or ""):
            form.error("password", Message(passwords.WEAK_MESSAGE))
        try:
            form.raise_if_invalid()
        except ValidationFailed as error:
            return rerender("accounts/password.html", {}, error, person=person)
        person.password_hash = passwords.hash_password(new)
        await person.save([Person.password_hash])
        # Every other browser signed in as this person is signed out.
        await Session.delete().where(Session.person == person.id, Session.token_hash != _this_session(request))
        await audit.record(audit.PASSWORD_CHANGED, actor_id=person.id, client_address=client_address(request))
        return see_other("/account?saved=password")

    @get("/sessions", name="account_sessions")
    async def list_sessions(self, request: Request) -> Template:
        person = await _person(request)
        current = _this_session(request)
        rows = await Session.objects().where(Session.person == person.id).order_by(
            Session.last_seen_at, ascending=False)
        return Template("accounts/sessions.html", context={"person": person, "sessions": rows, "current": current})

    @post("/sessions/{session_id:int}/end", status_code=303)
    async def end_session(self, request: Request, session_id: FromPath[int]) -> Response:
        person = await _person(request)
        # Only the person's own sessions: another's id is simply not found.
        await Session.delete().where(Session.id == session_id, Session.person == person.id)
        return see_other("/account/sessions")

    @post("/sessions/end-others", status_code=303)
    async def end_other_sessions(self, request: Request) -> Response:
        person = await _person(request)
        await Session.delete().where(Session.person == person.id, Session.token_hash != _this_session(request))
        return see_other("/account/sessions")


@post("/language", status_code=303, name="language", opt={"auth": "none"})
async def switch_language(request: Request) -> Response:
    """The language switch on every page: remembered in the browser, and on the account."""
    data = await form_data(request)
    language = data.get("language", "")
    response = see_other(safe_next(data.get("next"), "/"))
    if language in i18n.LANGUAGES:
        preferences(response, request.app.state.settings, language=language)
        actor = request.scope.get("state", {}).get("actor")
        if actor is not None:
            await Person.update({Person.language: language}).where(Person.id == actor.id)
    return response


@post("/elderly-mode", status_code=303, name="elderly_mode", opt={"auth": "none"})
async def switch_elderly_mode(request: Request) -> Response:
    """The 长辈模式 switch (district home page): remembered in the browser, and on the account."""
    data = await form_data(request)
    elderly = data.get("elderly_mode") == "1"
    response = see_other(safe_next(data.get("next"), "/"))
    preferences(response, request.app.state.settings, elderly=elderly)
    actor = request.scope.get("state", {}).get("actor")
    if actor is not None:
        await Person.update({Person.elderly_mode: elderly}).where(Person.id == actor.id)
    return response


class PersonalDataController(Controller):
    path = "/account/data"
    opt = {"auth": "session"}

    @get("/", name="account_data")
    async def show(self, request: Request) -> Template:
        person = await _person(request)
        return Template("accounts/data.html", context={"person": person, "values": {}, "errors": {}})

    @get("/export.json", name="account_data_export")
    async def download(self, request: Request) -> Response:
        person = await _person(request)
        data = await personal_data.export(person.id)
        return Response(data, media_type="application/json", headers={
            "content-disposition": f'attachment; filename="gongzhi-{person.id}.json"', "cache-control": "no-store"})

    @post("/erase", status_code=303)
    async def erase(self, request: Request) -> Response:
        person = await _person(request)
        data = await form_data(request)
        form = Form(data)
        if data.get("confirm") != "1":
            form.error("confirm", Message("Tick the box to confirm."))
        if person.password_hash and not passwords.verify_password(person.password_hash, data.get("password", "")):
            form.error("password", Message("This is not your current password."))
        try:
            form.raise_if_invalid()
        except ValidationFailed as error:
            return rerender("accounts/data.html", {}, error, person=person)
        await personal_data.erase(person.id, client_address(request))
        response = see_other("/?erased=1")
        response.cookies.append(sessions.expired_cookie(secure=request.app.state.settings.secure_cookies))
        return response
