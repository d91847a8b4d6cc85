"""The plugin's JSON API, mounted by the platform under ``/api/v1/t/{slug}/p/parking/``.

Authenticated like core's API: a person's token for the district (``Authorization: Bearer
…``) with the scope ``profile:read`` (a person's own data), never a session cookie; so no
CSRF token is needed. Errors are core's problem-details JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, Request, get

from core.sdk import gettext, problem_responses

from gongzhi_parking import services
from gongzhi_parking.handle import plugin
from gongzhi_parking.tables import STATE_LABELS

TOKEN_SCOPE = "profile:read"


@dataclass
class ParkingApplication:
    id: int
    community: int
    community_name: str
    plate: str
    state: str
    state_label: str
    created_at: datetime
    space: str | None
    month: str | None


@dataclass
class ParkingApplications:
    items: list[ParkingApplication]


class ParkingApi(Controller):
    path = "/"
    opt = {"auth": "token", "exclude_from_csrf": True, "private": True}
    tags = ["parking"]

    @get("/applications", name="parking_api_applications",
         summary="The token's person's parking applications in the district, newest first",
         responses=problem_responses(400, 401, 403, 404))
    async def mine(self, request: Request) -> ParkingApplications:
        person_id = await plugin.api_person(request, TOKEN_SCOPE)
        rows = await services.own_applications(plugin.scope(request), person_id)
        return ParkingApplications([ParkingApplication(
            id=row["id"], community=row["community_id"], community_name=row["community"], plate=row["plate"],
            state=row["state"], state_label=gettext(STATE_LABELS[row["state"]]), created_at=row["created_at"],
            space=row["space"]["label"] if row["space"] else None,
            month=row["space"]["month"] if row["space"] else None) for row in rows])
