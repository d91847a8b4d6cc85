"""The marketplace's JSON API: a publisher uploads a release with a platform token.

Authenticated by API credentials only (``Authorization: Bearer …``), so no CSRF token; what
``gongzhi plugin publish`` posts to.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post

from core.accounts import credentials, services as accounts
from core.accounts.roles import PUBLISHER
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import Message
from core.marketplace import services
from core.marketplace.tables import MarketplaceRelease
from core.web.forms import uploaded_files
from core.web.problems import problem_responses

SCOPE = "marketplace:publish"


def release_json(release: MarketplaceRelease, plugin: str) -> dict[str, Any]:
    return {"id": release.id, "plugin": plugin, "version": release.version, "status": release.status,
            "sha256": release.sha256, "size": release.size, "rejection_reason": release.rejection_reason}


class MarketplaceApiController(Controller):
    path = "/api/v1/marketplace"
    include_in_schema = True  # the OpenAPI document describes the API, not the pages
    opt = {"auth": "token", "exclude_from_csrf": True}
    tags = ["marketplace"]

    @post("/releases", status_code=201, request_max_body_size=services.UPLOAD_MAX_BYTES,
          summary="Upload a plugin's wheel as a release pending review",
          responses=problem_responses(
              400, 401, 403, 413, 422,
              s403="Not a marketplace publisher's token, or one without the scope marketplace:publish",
              s422="The wheel cannot be published: `errors` says why"))
    async def upload(self, request: Request) -> dict[str, Any]:
        credential = await credentials.authenticate(request.headers.get("authorization"), tenant_id=None, scope=SCOPE)
        if credential.kind != "publisher" or PUBLISHER not in await accounts.platform_roles(credential.person_id):
            raise PermissionDenied(Message("Only a marketplace publisher's token may upload releases."))
        files = await uploaded_files(request, "wheel")
        if len(files) != 1:
            raise ValidationFailed({"wheel": Message("Send one wheel (.whl) in the field wheel.")})
        [(filename, data)] = files
        form = await request.form()
        changelog = form.get("changelog") if isinstance(form.get("changelog"), str) else ""
        release = await services.publish(request.app.state.settings, data, filename,
                                         publisher_id=credential.person_id, changelog=changelog)
        return release_json(release, await services.plugin_name(release))
