"""The marketplace's pages: a publisher uploads releases and reads their review
(/marketplace/publish); a platform admin reviews pending releases (/admin/marketplace)."""

from __future__ import annotations

import json

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from core.accounts.guards import platform_role, signed_in
from core.accounts.services import Actor
from core.accounts.roles import PLATFORM_ADMIN, PUBLISHER
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import Message
from core.marketplace import services
from core.marketplace.catalogue import in_language
from core.marketplace.tables import STATUS_LABELS, MarketplacePlugin, MarketplaceRelease, ReleaseStatus
from core.plugins.manifest import CAPABILITIES
from core.web.forms import echo, form_data, form_errors, see_other, uploaded_files


def _publisher(request: Request) -> Actor:
    actor = signed_in(request)
    if not actor.has_platform_role(PUBLISHER):
        raise PermissionDenied(Message("This page is for marketplace publishers."))
    return actor


class PublishController(Controller):
    path = "/marketplace/publish"
    opt = {"auth": "session"}

    async def _page(self, request: Request, *, values=None, errors=None, status_code: int = 200) -> Template:
        publisher = _publisher(request)
        return Template("marketplace/publish.html", status_code=status_code, context={
            "releases": await services.releases_of(publisher.id), "status_labels": STATUS_LABELS,
            "values": values or {}, "errors": errors or {}})

    @get("/", name="marketplace_publish")
    async def page(self, request: Request) -> Template:
        return await self._page(request)

    @post("/", status_code=303, request_max_body_size=services.UPLOAD_MAX_BYTES)
    async def upload(self, request: Request) -> Response:
        publisher = _publisher(request)
        data = await form_data(request)
        try:
            uploads = await uploaded_files(request, "wheel")
            if len(uploads) != 1:
                raise ValidationFailed({"wheel": Message("Choose a wheel (.whl) to upload.")})
            [(filename, wheel)] = uploads
            await services.publish(request.app.state.settings, wheel, filename, publisher_id=publisher.id,
                                   changelog=data.get("changelog", ""))
        except ValidationFailed as error:
            return await self._page(request, values=echo(data), errors=form_errors(error), status_code=422)
        return see_other("/marketplace/publish")


class ReviewController(Controller):
    path = "/admin/marketplace"
    opt = {"auth": "session"}

    @staticmethod
    async def _item(row: MarketplaceRelease, plugin: str) -> dict:
        """One pending release as the review page shows it (its manifest read once)."""
        manifest = json.loads(row.manifest)
        return {"release": row, "plugin": plugin, "manifest": manifest,
                "title": in_language(manifest.get("title")), "description": in_language(manifest.get("description")),
                "manifest_text": json.dumps(manifest, ensure_ascii=False, indent=2),
                "report": json.loads(row.report), "changes": await services.what_changed(row)}

    async def _page(self, *, errors=None, values=None, status_code: int = 200) -> Template:
        rows = await MarketplaceRelease.objects().where(
            MarketplaceRelease.status == ReleaseStatus.pending.value).order_by(MarketplaceRelease.id)
        names = {row["id"]: row["name"] for row in await MarketplacePlugin.select(
            MarketplacePlugin.id, MarketplacePlugin.name)}
        pending = [await self._item(row, names[row.plugin_id]) for row in rows]
        return Template("marketplace/review.html", status_code=status_code, context={
            "pending": pending, "capabilities": CAPABILITIES, "errors": errors or {}, "values": values or {}})

    @get("/", name="marketplace_review")
    async def page(self, request: Request) -> Template:
        platform_role(request, PLATFORM_ADMIN)
        return await self._page()

    @post("/{release_id:int}/approve", status_code=303)
    async def approve(self, request: Request, release_id: FromPath[int]) -> Response:
        admin = platform_role(request, PLATFORM_ADMIN)
        try:
            await services.approve(release_id, admin.id)
        except ValidationFailed as error:
            return await self._page(errors={f"{release_id}-{k}": v for k, v in form_errors(error).items()},
                                    status_code=422)
        return see_other("/admin/marketplace")

    @post("/{release_id:int}/reject", status_code=303)
    async def reject(self, request: Request, release_id: FromPath[int]) -> Response:
        admin = platform_role(request, PLATFORM_ADMIN)
        data = await form_data(request)
        try:
            await services.reject(release_id, admin.id, data.get("reason", ""))
        except ValidationFailed as error:
            return await self._page(errors={f"{release_id}-{k}": v for k, v in form_errors(error).items()},
                                    values={f"{release_id}-reason": data.get("reason", "")}, status_code=422)
        return see_other("/admin/marketplace")
