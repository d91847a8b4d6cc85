"""/t/{slug}/notices: what residents (and visitors) see."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.accounts.guards import current_actor
from core.errors import NotFound
from core.notices import reading, search
from core.notices.rendering import render


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

    @get("/{root:int}", name="notice")
    async def detail(self, request: Request, root: FromPath[int]) -> Template:
        tenant = request.state.tenant
        actor = current_actor(request)
        notice = await reading.visible(tenant.scope, actor.id if actor else None, root)
        if notice is None:
            raise NotFound()
        if actor is not None:
            await reading.mark_read(tenant.scope, actor.id, root)
        return Template("notices/detail.html", context={
            "tenant": tenant, "notice": notice, "body": render(notice.body),
            "category": await reading.category_name(tenant.scope, notice.category)})
