"""/api/v1/t/{slug}/notices: the notices a token's person may see, and marking them read.

A person's token sees what that person sees; a client key (no person) sees what a visitor
sees. Authenticated by token only, so no CSRF token is needed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from core.accounts import credentials
from core.errors import NotFound, PermissionDenied
from core.i18n import Message
from core.notices import reading
from core.notices.rendering import render
from core.web.problems import problem_responses

SCOPE = "notices:read"


async def _person(request: Request) -> int | None:
    credential = await credentials.authenticate(request.headers.get("authorization"),
                                                tenant_id=request.state.tenant.id, scope=SCOPE)
    return credential.person_id if credential.kind == "person" else None


class NoticeApiController(Controller):
    path = "/api/v1/t/{slug:str}/notices"
    include_in_schema = True  # the OpenAPI document describes the API, not the pages
    opt = {"auth": "token", "exclude_from_csrf": True}
    tags = ["notices"]

    @get("/", summary="Published notices for the token's person, pinned and newest first",
         responses=problem_responses(400, 401, 403, 404))
    async def listing(self, request: Request, page: FromQuery[int] = 1, q: FromQuery[str] = "") -> dict[str, Any]:
        person_id = await _person(request)
        notices = await reading.for_person(request.state.tenant.scope, person_id, page=page, search_for=q)
        return {"page": page, "notices": [
            {"id": n.root, "version": n.version, "title": n.title, "category": n.category, "pinned": n.pinned,
             "urgent": n.urgent, "published_at": n.published_at.isoformat(), "read": n.read} for n in notices]}

    @get("/{root:int}", summary="One notice, its Markdown and its sanitised HTML",
         responses=problem_responses(400, 401, 403, 404))
    async def detail(self, request: Request, root: FromPath[int]) -> dict[str, Any]:
        person_id = await _person(request)
        scope = request.state.tenant.scope
        notice = await reading.visible(scope, person_id, root)
        if notice is None:
            raise NotFound()
        return {"id": notice.root, "version": notice.version, "title": notice.title, "body": notice.body,
                "body_html": str(render(notice.body)), "category": await reading.category_name(scope, notice.category),
                "pinned": notice.pinned, "urgent": notice.urgent, "published_at": notice.published_at.isoformat(),
                "expire_at": notice.expire_at.isoformat() if notice.expire_at else None}

    @post("/{root:int}/read", status_code=200, summary="Mark the notice read for the token's person",
          responses=problem_responses(400, 401, 403, 404))
    async def mark_read(self, request: Request, root: FromPath[int]) -> dict[str, Any]:
        person_id = await _person(request)
        if person_id is None:
            raise PermissionDenied(Message("Only a person's token reads notices."))
        scope = request.state.tenant.scope
        if await reading.visible(scope, person_id, root) is None:
            raise NotFound()
        await reading.mark_read(scope, person_id, root)
        return {"id": root, "read": True}
