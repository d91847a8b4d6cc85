"""What the parking service does: residents apply and withdraw, staff keep the spaces, and
each month free spaces go to waiting applications in the order they were made.

Every read and write goes through the district's ``TenantScope``: a row of another district
cannot be found here, so an id from another district is simply "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.sdk import CHINA, Form, Message, NotFound, TenantScope, clean_text, now, whole_number

from gongzhi_parking import plates
from gongzhi_parking.handle import plugin
from gongzhi_parking.tables import Allocation, Application, ApplicationState, Space

WAITING, ALLOCATED, WITHDRAWN = (state.value for state in ApplicationState)
HOLDING = (WAITING, ALLOCATED)  # what counts against the per-person limit
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def month_of(moment: datetime) -> str:
    """The month (China Standard Time) a moment falls in: ``2026-12``."""
    return moment.astimezone(CHINA).strftime("%Y-%m")


def local_day(moment: datetime) -> int:
    return moment.astimezone(CHINA).day


def valid_key(key: str) -> bool:
    """Whether ``key`` may be a form's idempotency key: 8 to 64 letters, digits, - or _."""
    return bool(_KEY.match(key or ""))


# Residents ---------------------------------------------------------------------------------


async def communities(scope: TenantScope) -> dict[int, str]:
    return {row["id"]: row["name"] for row in await plugin.communities(scope)}


def _community(form: Form, known: dict[int, str]) -> int | None:
    chosen = form.field("community", whole_number, low=1)
    if chosen is None or chosen not in known:
        form.errors["community"] = Message("Choose one of the list.")
        return None
    return chosen


async def own_applications(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The person's applications in the district, newest first, each with the space it holds."""
    async with scope.transaction():
        rows = await scope.select(Application, Application.id, Application.community_id, Application.plate,
                                  Application.state, Application.created_at).where(
            Application.person_id == person_id).order_by(Application.id, ascending=False)
        held = await _held_spaces(scope, [row["id"] for row in rows])
    names = await communities(scope)
    return [{**row, "community": names.get(row["community_id"], ""), "space": held.get(row["id"])} for row in rows]


async def _held_spaces(scope: TenantScope, application_ids: list[int]) -> dict[int, dict[str, str]]:
    """The space (label and month) each of these applications was last allocated."""
    if not application_ids:
        return {}
    rows = await scope.select(Allocation, Allocation.application, Allocation.month, Allocation.space.label).where(
        Allocation.application.is_in(application_ids)).order_by(Allocation.id)
    return {row["application"]: {"label": row["space.label"], "month": row["month"]} for row in rows}


async def apply(scope: TenantScope, person_id: int, data: dict[str, str]) -> Application:
    """A resident's application (``community``, ``plate``, ``idempotency_key``): checked field
    by field (ValidationFailed names each); the same key again is the same application."""
    key = data.get("idempotency_key", "")
    form = Form(data)
    known = await communities(scope)
    community = _community(form, known)
    plate = form.field("plate", plates.plate)
    if not valid_key(key):
        form.error("__all__", Message("This form has expired. Please send it again."))
    form.raise_if_invalid()
    limit = (await plugin.settings(scope))["max_applications_per_person"]
    async with scope.transaction(write=True):
        same = await scope.objects(Application).where(
            Application.person_id == person_id, Application.idempotency_key == key).first()
        if same is not None:
            return same
        if await scope.count(Application).where(Application.plate == plate, Application.state.is_in(HOLDING)):
            form.error("plate", Message("This vehicle already has an application here."))
        held = await scope.count(Application).where(Application.person_id == person_id,
                                                    Application.state.is_in(HOLDING))
        if held >= limit:
            form.error("__all__", Message("You already have %(count)d application(s), the most allowed here.",
                                          {"count": held}))
        form.raise_if_invalid()
        moment = now()
        row = await scope.create(Application, person_id=person_id, community_id=community, plate=plate,
                                 state=WAITING, idempotency_key=key, created_at=moment, changed_at=moment)
    return row


async def withdraw(scope: TenantScope, person_id: int, application_id: int) -> None:
    """Withdraw one of the person's own applications (a space it holds becomes free);
    someone else's, or another district's, is not found. Withdrawing twice is harmless."""
    async with scope.transaction(write=True):
        row = await scope.get(Application, application_id, for_update=True)
        if row is None or row.person_id != person_id:
            raise NotFound()
        if row.state == WITHDRAWN:
            return
        await scope.update(Application, {Application.state: WITHDRAWN, Application.changed_at: now()}).where(
            Application.id == application_id)


# Staff -------------------------------------------------------------------------------------


async def spaces(scope: TenantScope, community_ids: set[int] | None) -> list[dict[str, Any]]:
    """The spaces of these communities (None: all), with who holds each."""
    async with scope.transaction():
        query = scope.select(Space, Space.id, Space.community_id, Space.label, Space.active).order_by(
            Space.community_id).order_by(Space.label)
        if community_ids is not None:
            query = query.where(Space.community_id.is_in(list(community_ids) or [0]))
        rows = await query
        holders = await _holders(scope)
    names = await communities(scope)
    return [{**row, "community": names.get(row["community_id"], ""), "holder": holders.get(row["id"])}
            for row in rows]


async def _holders(scope: TenantScope) -> dict[int, str]:
    """Space id → the plate of the application holding it now."""
    rows = await scope.select(Allocation, Allocation.space, Allocation.application.plate).where(
        Allocation.application.state == ALLOCATED)
    return {row["space"]: row["application.plate"] for row in rows}


async def add_space(scope: TenantScope, data: dict[str, str], community_ids: set[int] | None) -> Space:
    """A new space (``community``, ``label``) in a community the staff member looks after."""
    form = Form(data)
    known = await communities(scope)
    if community_ids is not None:
        known = {key: name for key, name in known.items() if key in community_ids}
    community = _community(form, known)
    label = form.field("label", clean_text, max_length=20)
    form.raise_if_invalid()
    label = label.upper()
    async with scope.transaction(write=True):
        if await scope.exists(Space).where(Space.community_id == community, Space.label == label):
            form.error("label", Message("This community already has a space with this label."))
            form.raise_if_invalid()
        return await scope.create(Space, community_id=community, label=label, active=True, created_at=now())


async def switch_space(scope: TenantScope, space_id: int, community_ids: set[int] | None) -> bool:
    """Retire a space from allocation, or bring it back; returns whether it is now active.
    A retired space stays with whoever holds it until they withdraw."""
    async with scope.transaction(write=True):
        space = await scope.get(Space, space_id, for_update=True)
        if space is None or (community_ids is not None and space.community_id not in community_ids):
            raise NotFound()
        await scope.update(Space, {Space.active: not space.active}).where(Space.id == space_id)
    return not space.active


async def applications(scope: TenantScope, community_ids: set[int] | None) -> list[dict[str, Any]]:
    """The applications of these communities (None: all), in the order they were made, with
    the applicant's name and the space each holds."""
    async with scope.transaction():
        query = scope.select(Application, Application.id, Application.person_id, Application.community_id,
                             Application.plate, Application.state, Application.created_at).order_by(Application.id)
        if community_ids is not None:
            query = query.where(Application.community_id.is_in(list(community_ids) or [0]))
        rows = await query
        held = await _held_spaces(scope, [row["id"] for row in rows if row["state"] == ALLOCATED])
    people = await plugin.people(scope, sorted({row["person_id"] for row in rows}))
    names = await communities(scope)
    return [{**row, "community": names.get(row["community_id"], ""), "space": held.get(row["id"]),
             "person": people.get(row["person_id"], {}).get("display_name", "")} for row in rows]


async def counts(scope: TenantScope) -> dict[str, int]:
    """Waiting applications and spaces free for allocation this month, for the console's widget."""
    async with scope.transaction():
        waiting = await scope.count(Application).where(Application.state == WAITING)
        free = len(await _free_spaces(scope, month_of(now())))
    return {"waiting": waiting, "free": free}


# The monthly allocation --------------------------------------------------------------------


async def _free_spaces(scope: TenantScope, month: str) -> list[dict[str, Any]]:
    """Active spaces nobody holds and that were not given out in ``month`` already."""
    taken = {row["space"] for row in await scope.select(Allocation, Allocation.space).where(
        (Allocation.month == month) | (Allocation.application.state == ALLOCATED))}
    rows = await scope.select(Space, Space.id, Space.community_id, Space.label).where(
        Space.active.eq(True)).order_by(Space.label).order_by(Space.id)
    return [row for row in rows if row["id"] not in taken]


@dataclass(frozen=True)
class Allocated:
    application_id: int
    person_id: int
    community_id: int
    label: str


async def allocate(scope: TenantScope, month: str) -> list[Allocated]:
    """Give the free spaces of each community to its waiting applications, oldest first, for
    ``month``; notifies each resident who got one. Run again, it gives out only what is
    still free to whoever still waits: nothing is allocated twice (the database refuses a
    second allocation of a space, or of an application, in one month)."""
    done: list[Allocated] = []
    async with scope.transaction(write=True):
        oldest = await scope.select(Application, Application.id).where(Application.state == WAITING).order_by(
            Application.id).first()
        if oldest is None:
            return done
        # Two runs at once (the schedule and the console's button) take turns here: the
        # second reads what the first allocated once it has committed.
        await scope.get(Application, oldest["id"], for_update=True)
        waiting = await scope.select(Application, Application.id, Application.person_id,
                                     Application.community_id).where(
            Application.state == WAITING).order_by(Application.id)
        free: dict[int, list[dict[str, Any]]] = {}
        for space in await _free_spaces(scope, month):
            free.setdefault(space["community_id"], []).append(space)
        moment = now()
        for application in waiting:
            pool = free.get(application["community_id"])
            if not pool:
                continue
            space = pool.pop(0)
            await scope.create(Allocation, month=month, application=application["id"], space=space["id"],
                               created_at=moment)
            await scope.update(Application, {Application.state: ALLOCATED, Application.changed_at: moment}).where(
                Application.id == application["id"])
            done.append(Allocated(application["id"], application["person_id"], application["community_id"],
                                  space["label"]))
        await _tell(scope, month, done)
    return done


async def _tell(scope: TenantScope, month: str, done: list[Allocated]) -> None:
    if not done:
        return
    slug = await plugin.slug_of(scope)
    names = await communities(scope)
    for allocated in done:
        await plugin.notify(
            scope, [allocated.person_id], kind="allocated", title=Message("You have a parking space"),
            body=Message("Space %(space)s in %(community)s is yours from %(month)s.",
                         {"space": allocated.label, "community": names.get(allocated.community_id, ""),
                          "month": month}),
            link=f"/t/{slug}/p/parking/")


async def allocate_if_due(scope: TenantScope) -> list[Allocated]:
    """The scheduled run: allocate this month's spaces on the district's allocation day."""
    moment = now()
    if local_day(moment) != (await plugin.settings(scope))["allocation_day"]:
        return []
    return await allocate(scope, month_of(moment))


# What the plugin holds, for exports ----------------------------------------------------------


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON values (times as ISO 8601)."""
    return [{key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}
            for row in rows]


async def district_export(scope: TenantScope) -> dict[str, Any]:
    """Everything the plugin holds for the district."""
    async with scope.transaction():
        return {
            "spaces": plain(await scope.select(Space).order_by(Space.id)),
            "applications": plain(await scope.select(Application).order_by(Application.id)),
            "allocations": plain(await scope.select(Allocation).order_by(Allocation.id)),
        }
