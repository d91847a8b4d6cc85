"""/t/{slug}/console/notices: staff draft notices, others review them, and they are published."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import tenant_roles
from core.accounts.roles import DISTRICT_ADMIN
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.i18n import N_, Message
from core.notices import attachments, catalogue, compliance, permissions, questions, services, statistics
from core.notices.audience import role_choices
from core.notices.rendering import render
from core.notices.routes import file_response
from core.notices.tables import Notice, NoticeStatus
from core.web.forms import echo, form_data, revision_of, see_other
from tenants import organisation

STATUS_LABELS = {
    NoticeStatus.draft.value: N_("Draft"),
    NoticeStatus.submitted.value: N_("Waiting for review"),
    NoticeStatus.returned.value: N_("Returned"),
    NoticeStatus.scheduled.value: N_("Scheduled"),
    NoticeStatus.published.value: N_("Published"),
    NoticeStatus.withdrawn.value: N_("Withdrawn"),
    NoticeStatus.expired.value: N_("Expired"),
    NoticeStatus.corrected.value: N_("Corrected"),
}


async def _author(request: Request):
    actor, roles = await tenant_roles(request, permissions.AUTHOR_ROLES)
    return actor, roles


async def _form_page(request: Request, *, notice: Notice | None, values: dict, errors: dict,
                     status_code: int = 200) -> Template:
    tenant = request.state.tenant
    return Template("console/notice_form.html", status_code=status_code, context={
        "tenant": tenant, "notice": notice, "values": values, "errors": errors,
        "categories": await catalogue.categories(tenant.scope), "units": await organisation.units(tenant.scope),
        "roles": role_choices(),
        "existing": await attachments.listing(tenant.scope, notice.id) if notice is not None else []})


def _values(notice: Notice) -> dict[str, str]:
    from core import clock

    def local(moment) -> str:
        return clock.local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""

    return {"title": notice.title, "body": notice.body, "category": str(notice.category or ""),
            "audience": services.audience_value(notice), "pinned": "1" if notice.pinned else "",
            "urgent": "1" if notice.urgent else "", "publish_at": local(notice.publish_at),
            "expire_at": local(notice.expire_at)}


class ConsoleNoticeController(Controller):
    path = "/t/{slug:str}/console/notices"
    opt = {"auth": "session"}

    @get("/", name="console_notices")
    async def listing(self, request: Request) -> Template:
        await _author(request)
        tenant = request.state.tenant
        notices = await tenant.scope.objects(Notice).order_by(Notice.updated_at, ascending=False).limit(200)
        return Template("console/notices.html", context={"tenant": tenant, "notices": notices,
                                                         "status_labels": STATUS_LABELS})

    @get("/new", name="console_notice_new")
    async def new(self, request: Request) -> Template:
        await _author(request)
        return await _form_page(request, notice=None, values={"audience": "district"}, errors={})

    @post("/new", status_code=303, request_max_body_size=attachments.FORM_MAX_BYTES)
    async def create(self, request: Request) -> Response:
        actor, _roles = await _author(request)
        tenant = request.state.tenant
        data, uploads, _removed = await _posted(request)
        try:
            draft, checked = await _checked(tenant.scope, data, uploads, already=0)
        except ValidationFailed as error:
            return await _form_page(request, notice=None, values=echo(data),
                                    errors={k: str(m) for k, m in error.errors.items()}, status_code=422)
        async with tenant.scope.transaction(write=True):
            notice = await services.create(tenant.scope, draft, author_id=actor.id)
            await attachments.attach(request.app.state.settings, tenant.scope, notice.id, checked)
        return see_other(f"/t/{tenant.slug}/console/notices/{notice.id}")

    async def _notice(self, request: Request, notice_id: int) -> Notice:
        notice = await request.state.tenant.scope.get(Notice, notice_id)
        if notice is None:
            raise NotFound()
        return notice

    async def _page(self, request: Request, notice: Notice, actor, roles, *, problem: str = "",
                    status_code: int = 200, values: dict | None = None, errors: dict | None = None) -> Template:
        tenant = request.state.tenant
        return Template("console/notice.html", status_code=status_code, context={
            "tenant": tenant, "notice": notice, "body": render(notice.body), "problem": problem,
            "values": values or {}, "errors": errors or {}, "status_labels": STATUS_LABELS,
            "transitions": await services.transitions(tenant.scope, notice.id),
            "attachments": await attachments.listing(tenant.scope, notice.id),
            "questions": await questions.for_notice(tenant.scope, notice),
            "read_rates": await statistics.read_rates(tenant.scope, notice)
            if notice.status in ("published", "expired", "withdrawn", "corrected") else (None, []),
            "can_edit": permissions.can_edit(actor.id, notice),
            "can_review": permissions.can_review(actor.id, roles, notice),
            "own_submitted": notice.status == "submitted" and notice.author == actor.id,
            "can_withdraw": permissions.can_withdraw(roles, notice),
            "can_correct": permissions.can_correct(roles, notice)})

    @get("/{notice_id:int}", name="console_notice")
    async def show(self, request: Request, notice_id: FromPath[int]) -> Template:
        actor, roles = await _author(request)
        return await self._page(request, await self._notice(request, notice_id), actor, roles)

    @get("/{notice_id:int}/edit", name="console_notice_edit")
    async def edit_form(self, request: Request, notice_id: FromPath[int]) -> Template:
        actor, _roles = await _author(request)
        notice = await self._notice(request, notice_id)
        if not permissions.can_edit(actor.id, notice):
            raise PermissionDenied(Message("Only the author edits a notice, while it is a draft or returned."))
        return await _form_page(request, notice=notice, values=_values(notice), errors={})

    @post("/{notice_id:int}/edit", status_code=303, request_max_body_size=attachments.FORM_MAX_BYTES)
    async def edit(self, request: Request, notice_id: FromPath[int]) -> Response:
        actor, _roles = await _author(request)
        tenant = request.state.tenant
        settings = request.app.state.settings
        notice = await self._notice(request, notice_id)
        data, uploads, removed = await _posted(request)
        kept = [a for a in await attachments.listing(tenant.scope, notice_id) if a.id not in removed]
        try:
            draft, checked = await _checked(tenant.scope, data, uploads, already=len(kept))
            async with tenant.scope.transaction(write=True):
                await services.edit(tenant.scope, notice_id, draft, actor_id=actor.id, revision=revision_of(data))
                await attachments.remove(settings, tenant.scope, notice_id, sorted(removed))
                await attachments.attach(settings, tenant.scope, notice_id, checked)
        except ValidationFailed as error:
            return await _form_page(request, notice=notice, values=echo(data),
                                    errors={k: str(m) for k, m in error.errors.items()}, status_code=422)
        except Conflict as conflict:
            return await _form_page(request, notice=notice, values=echo(data),
                                    errors={"__all__": str(conflict.detail)}, status_code=409)
        return see_other(f"/t/{tenant.slug}/console/notices/{notice_id}")

    @get("/{notice_id:int}/attachments/{attachment_id:int}", name="console_notice_attachment")
    async def attachment(self, request: Request, notice_id: FromPath[int], attachment_id: FromPath[int]) -> Response:
        await _author(request)
        tenant = request.state.tenant
        attachment, stored = await attachments.file_of(request.app.state.settings, tenant.scope, notice_id,
                                                       attachment_id)
        if attachment is None:
            raise NotFound()
        return file_response(attachment, stored)

    @post("/{notice_id:int}/{action:str}", status_code=303)
    async def act(self, request: Request, notice_id: FromPath[int], action: FromPath[str]) -> Response:
        actor, roles = await _author(request)
        tenant = request.state.tenant
        scope = tenant.scope
        notice = await self._notice(request, notice_id)
        data = await form_data(request)
        revision = revision_of(data)
        target = notice_id
        try:
            if action == "submit":
                await services.submit(scope, notice_id, actor_id=actor.id, revision=revision)
            elif action == "return":
                await services.send_back(scope, notice_id, actor_id=actor.id, revision=revision,
                                         comment=data.get("comment", ""))
            elif action == "approve":
                await services.approve(scope, notice_id, actor_id=actor.id, revision=revision,
                                       comment=data.get("comment", ""))
            elif action == "withdraw":
                await services.withdraw(scope, notice_id, actor_id=actor.id, revision=revision,
                                        reason=data.get("reason", ""))
            elif action == "correct":
                target = (await services.correct(scope, notice_id, actor_id=actor.id)).id
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, notice, actor, roles, status_code=422, values=echo(data),
                                    errors={f"{action}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._page(request, await self._notice(request, notice_id), actor, roles,
                                    problem=str(conflict.detail), status_code=409)
        return see_other(f"/t/{tenant.slug}/console/notices/{target}")


async def _posted(request: Request) -> tuple[dict[str, str], list[attachments.Upload], set[int]]:
    """A draft form's text fields, its uploaded files, and the attachments ticked for removal."""
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    files = form.getall("attachments") if "attachments" in form else []
    uploads = [attachments.Upload(item.filename, await item.read(), item.content_type or "") for item in files
               if isinstance(item, UploadFile) and item.filename]
    ticked = form.getall("remove_attachment") if "remove_attachment" in form else []
    removed = {int(value) for value in ticked if isinstance(value, str) and value.isascii() and value.isdigit()}
    return data, uploads, removed


async def _checked(scope, data: dict[str, str], uploads: list, *, already: int):
    """The draft and the checked uploads; every problem of both at once."""
    errors: dict[str, Message] = {}
    draft = checked = None
    try:
        draft = await services.clean(scope, data)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        checked = attachments.check(uploads, already=already)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return draft, checked




class DisclosureController(Controller):
    """/t/{slug}/console/disclosure: the catalogue, and whether each community keeps to it."""

    path = "/t/{slug:str}/console/disclosure"
    opt = {"auth": "session"}

    @get("/", name="console_disclosure")
    async def show(self, request: Request) -> Template:
        _actor, roles = await _author(request)
        return await self._page(request, roles)

    async def _page(self, request: Request, roles, *, values: dict | None = None, errors: dict | None = None,
                    status_code: int = 200) -> Template:
        tenant = request.state.tenant
        return Template("console/disclosure.html", status_code=status_code, context={
            "tenant": tenant, "categories": await catalogue.categories(tenant.scope),
            "frequencies": catalogue.FREQUENCY_LABELS, "roles": role_choices(),
            "can_edit": DISTRICT_ADMIN in roles, "values": values or {}, "errors": errors or {},
            "open_forms": {key.split(".", 1)[0] for key in errors or {}},
            "communities": await compliance.compliance(tenant.scope)})

    async def _admin(self, request: Request):
        actor, roles = await _author(request)
        if DISTRICT_ADMIN not in roles:
            raise PermissionDenied(Message("Only the district's administrators change the disclosure catalogue."))
        return actor, roles

    @post("/categories", status_code=303)
    async def add(self, request: Request) -> Response:
        actor, roles = await self._admin(request)
        data = await form_data(request)
        try:
            await catalogue.add(request.state.tenant.scope, data, actor_id=actor.id)
        except ValidationFailed as error:
            return await self._page(request, roles, values={f"new.{k}": v for k, v in echo(data).items()},
                                    errors={f"new.{k}": str(m) for k, m in error.errors.items()}, status_code=422)
        return see_other(f"/t/{request.state.tenant.slug}/console/disclosure")

    @post("/categories/{category_id:int}", status_code=303)
    async def change(self, request: Request, category_id: FromPath[int]) -> Response:
        actor, roles = await self._admin(request)
        data = await form_data(request)
        try:
            await catalogue.change(request.state.tenant.scope, category_id, data, actor_id=actor.id)
        except ValidationFailed as error:
            key = f"c{category_id}"
            return await self._page(request, roles, values={f"{key}.{k}": v for k, v in echo(data).items()},
                                    errors={f"{key}.{k}": str(m) for k, m in error.errors.items()}, status_code=422)
        return see_other(f"/t/{request.state.tenant.slug}/console/disclosure")
