"""/t/{slug}/feedback: a resident raises something, follows it, rates or reopens it."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import signed_in
from core.errors import Conflict, NotFound, ValidationFailed
from core.feedback import categories, photos as feedback_photos, reading, services, workflow
from core.feedback.tables import FeedbackItem, FeedbackPhoto
from core.web.forms import echo, form_data, see_other, uploaded_files
from tenants import organisation


def photo_response(photo: FeedbackPhoto, image: bytes) -> Response:
    """A photo, shown inline; a private item's is never kept by a cache."""
    extension = "png" if photo.content_type == "image/png" else "jpg"
    return Response(image, media_type=photo.content_type, headers={
        "Content-Disposition": f"inline; filename=photo-{photo.id}.{extension}",
        "Cache-Control": "private, no-store" if photo.sealed else "private, max-age=300",
    })


class FeedbackController(Controller):
    path = "/t/{slug:str}/feedback"
    opt = {"auth": "session"}

    async def _form(self, request: Request, *, values: dict, errors: dict, status_code: int = 200,
                    photos_again: bool = False) -> Template:
        tenant = request.state.tenant
        return Template("feedback/new.html", status_code=status_code, context={
            "tenant": tenant, "values": values, "errors": errors, "photos_again": photos_again,
            "categories": await categories.enabled(tenant.scope), "units": await organisation.units(tenant.scope)})

    @get("/", name="feedback_mine")
    async def mine(self, request: Request) -> Template:
        actor = signed_in(request)
        tenant = request.state.tenant
        return Template("feedback/mine.html", context={
            "tenant": tenant, "items": await reading.own_items(tenant.scope, actor.id),
            "labels": workflow.STATE_LABELS})

    @get("/new", name="feedback_new")
    async def new(self, request: Request) -> Template:
        signed_in(request)
        # Each form carries its own key: sent twice (a retry, the offline queue), it is one item.
        return await self._form(request, values={"idempotency_key": secrets.token_urlsafe(18)}, errors={})

    @post("/new", status_code=303, request_max_body_size=feedback_photos.FORM_MAX_BYTES)
    async def submit(self, request: Request) -> Response:
        actor = signed_in(request)
        tenant = request.state.tenant
        data = await form_data(request)
        uploads: list[tuple[str, bytes]] = []
        try:
            uploads = await uploaded_files(request, "photos")
            submission, photos = await feedback_photos.checked_with(
                services.clean(tenant.scope, data, person_id=actor.id), uploads)
            item, _new = await services.submit(request.app.state.settings, tenant.scope, tenant.slug, actor.id,
                                               submission, idempotency_key=data.get("idempotency_key", ""),
                                               photos=photos)
        except ValidationFailed as error:  # a page sent back cannot hold the chosen files: they are chosen again
            return await self._form(request, values=echo(data), status_code=422,
                                    photos_again=bool(uploads) or "photos" in error.errors,
                                    errors={k: str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._form(request, values=echo(data), status_code=409, photos_again=bool(uploads),
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{tenant.slug}/feedback/{item.id}")

    async def _own(self, request: Request, item_id: int) -> FeedbackItem:
        actor = signed_in(request)
        item = await request.state.tenant.scope.get(FeedbackItem, item_id)
        if item is None or item.submitter != actor.id:
            raise NotFound()
        return item

    async def _page(self, request: Request, item: FeedbackItem, *, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        actor = signed_in(request)
        tenant = request.state.tenant
        shown = await reading.view(request.app.state.settings, tenant.scope, item, reader_id=actor.id,
                                   may_read_private=lambda reader: False)
        return Template("feedback/item.html", status_code=status_code, context={
            "tenant": tenant, "view": shown, "labels": workflow.STATE_LABELS, "values": values or {},
            "photos": await feedback_photos.gallery(tenant.scope, item.id),
            "errors": errors or {}, "can_reopen": workflow.may_reopen(item)})

    @get("/{item_id:int}", name="feedback_item")
    async def show(self, request: Request, item_id: FromPath[int]) -> Template:
        return await self._page(request, await self._own(request, item_id))

    @get("/{item_id:int}/photos/{photo_id:int}", name="feedback_photo")
    async def photo(self, request: Request, item_id: FromPath[int], photo_id: FromPath[int]) -> Response:
        actor = signed_in(request)
        item = await self._own(request, item_id)
        photo, image = await feedback_photos.read_photo(request.app.state.settings, request.state.tenant.scope, item,
                                                        photo_id, reader_id=actor.id, may_read=lambda reader: False)
        return photo_response(photo, image)

    @post("/{item_id:int}/{action:str}", status_code=303)
    async def act(self, request: Request, item_id: FromPath[int], action: FromPath[str]) -> Response:
        actor = signed_in(request)
        tenant = request.state.tenant
        item = await self._own(request, item_id)
        data = await form_data(request)
        try:
            if action == "rate":
                await workflow.rate(tenant.scope, tenant.slug, item_id, person_id=actor.id,
                                    rating=data.get("rating"), comment=data.get("comment", ""),
                                    settings=request.app.state.settings)
            elif action == "reopen":
                await workflow.reopen(tenant.scope, tenant.slug, item_id, person_id=actor.id,
                                      reason=data.get("reason", ""), settings=request.app.state.settings)
            else:
                raise NotFound()
        except ValidationFailed as error:
            return await self._page(request, item, values=echo(data), status_code=422,
                                    errors={f"{action}.{k}": str(m) for k, m in error.errors.items()})
        except Conflict as conflict:
            return await self._page(request, await self._own(request, item_id), status_code=409,
                                    errors={"__all__": str(conflict.detail)})
        return see_other(f"/t/{tenant.slug}/feedback/{item_id}")
