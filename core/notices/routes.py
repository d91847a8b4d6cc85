"""/t/{slug}/notices: what residents (and visitors) see."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from markupsafe import Markup
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.accounts.guards import current_actor, signed_in
from core.errors import NotFound, ValidationFailed
from core.notices import attachments, publishing, questions, reading, search
from core.notices.rendering import render
from core.web.forms import echo, form_data, see_other


class NoticeController(Controller):
    path = "/t/{slug:str}/notices"
    opt = {"auth": "none"}  # visitors see the district-wide notices; a session shows more

    @get("/", name="notices")
    async def listing(self, request: Request, page: FromQuery[int] = 1, q: FromQuery[str] = "") -> Template:
        tenant = request.state.tenant
        actor = current_actor(request)
        notices = await reading.for_person(tenant.scope, actor.id if actor else None, page=page, search_for=q)
        return Template("notices/list.html", context={
            "tenant": tenant, "notices": notices, "page": page, "q": search.clean_query(q),
            "more": len(notices) == reading.PAGE_SIZE})

    @get("/feed.atom", name="notices_feed")
    async def feed(self, request: Request) -> Response:
        tenant = request.state.tenant
        settings = request.app.state.settings
        site = f"{settings.public_url}/t/{tenant.slug}"
        document = publishing.atom(title=tenant.display_name, site=site, feed_url=f"{site}/notices/feed.atom",
                                   page_url=f"{site}/notices", notices=await reading.public(tenant.scope))
        return Response(document, media_type="application/atom+xml; charset=utf-8")

    @get("/{root:int}/print", name="notice_print")
    async def print_view(self, request: Request, root: FromPath[int]) -> Template:
        tenant = request.state.tenant
        actor = current_actor(request)
        notice = await reading.visible(tenant.scope, actor.id if actor else None, root)
        if notice is None:
            raise NotFound()
        url = f"{request.app.state.settings.public_url}/t/{tenant.slug}/notices/{root}"
        return Template("notices/print.html", context={
            "tenant": tenant, "notice": notice, "body": render(notice.body), "url": url,
            "qr": Markup(publishing.qr_svg(url)),
            "category": await reading.category_name(tenant.scope, notice.category)})

    @get("/{root:int}", name="notice")
    async def detail(self, request: Request, root: FromPath[int], asked: FromQuery[bool] = False) -> Template:
        return await self._detail(request, root, asked=asked)

    async def _detail(self, request: Request, root: int, *, asked: bool = False, values: dict | None = None,
                      errors: dict | None = None, status_code: int = 200) -> Template:
        tenant = request.state.tenant
        actor = current_actor(request)
        notice = await reading.visible(tenant.scope, actor.id if actor else None, root)
        if notice is None:
            raise NotFound()
        if actor is not None:
            await reading.mark_read(tenant.scope, actor.id, root)
        return Template("notices/detail.html", status_code=status_code, context={
            "tenant": tenant, "notice": notice, "body": render(notice.body), "asked": asked,
            "attachments": await attachments.listing(tenant.scope, notice.id),
            "values": values or {"submission": questions.new_submission()}, "errors": errors or {},
            "category": await reading.category_name(tenant.scope, notice.category)})

    @get("/{root:int}/attachments/{attachment_id:int}", name="notice_attachment")
    async def attachment(self, request: Request, root: FromPath[int], attachment_id: FromPath[int]) -> Response:
        tenant = request.state.tenant
        actor = current_actor(request)
        notice = await reading.visible(tenant.scope, actor.id if actor else None, root)
        if notice is None:
            raise NotFound()
        attachment, stored = await attachments.file_of(request.app.state.settings, tenant.scope, notice.id,
                                                       attachment_id)
        if attachment is None:
            raise NotFound()
        return file_response(attachment, stored)

    @post("/{root:int}/questions", status_code=303, opt={"auth": "session"})
    async def ask(self, request: Request, root: FromPath[int]) -> Response:
        actor = signed_in(request)
        tenant = request.state.tenant
        data = await form_data(request)
        try:
            await questions.ask(request.app.state.settings, tenant.scope, tenant.slug, actor.id, root, data)
        except ValidationFailed as error:
            return await self._detail(request, root, values=echo(data), status_code=422,
                                      errors={k: str(m) for k, m in error.errors.items()})
        return see_other(f"/t/{tenant.slug}/notices/{root}?asked=1")


def file_response(attachment, stored) -> Response:
    """An attachment as a download (PDF) or an inline image, with its sniffed type."""
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return Response(stored.data, media_type=attachment.content_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}",
        "Cache-Control": "private, max-age=300",
    })
