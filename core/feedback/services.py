"""Submitting feedback: one item per idempotency key, a tracking number at once, a
responsible party and deadlines from its category, and a timeline from the first moment."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Mapping, Sequence

from core import clock, db, forms
from core.accounts.tables import Membership
from core.config import Settings
from core.errors import Conflict
from core.events import names, services as events
from core.feedback import parties, photos as feedback_photos, registry, tracking
from core.feedback.tables import FeedbackCategory, FeedbackItem, State, TimelineEntry
from core.forms import Form
from core.i18n import Message
from core.notifications.audience import Audience
from core.notifications.services import notify
from core.tenancy import TenantScope
from tenants import bounds
from tenants.tables import Community, Grid

DESCRIPTION_MAX = 4000
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def valid_key(key: str) -> bool:
    """Whether ``key`` may be an idempotency key: 8 to 64 letters, digits, - or _."""
    return bool(_KEY.match(key or ""))


@dataclass(frozen=True)
class Submission:
    category_id: int
    description: str
    community_id: int | None
    grid_id: int | None
    address: str
    latitude: float | None
    longitude: float | None
    public: bool

    def fingerprint(self, photos: Sequence[str] = ()) -> str:
        """What the idempotency key is bound to: the same key with another body, or other
        photos (their digests, in order), is refused."""
        body = asdict(self)
        if photos:  # without photos, the fingerprint is what it always was
            body["photos"] = list(photos)
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def clean(scope: TenantScope, data: Mapping[str, Any], *, person_id: int) -> Submission:
    """A submission from a form or the API; the place defaults to the person's own community
    and grid. ValidationFailed names each bad field."""
    async with scope.transaction():  # its reads in one transaction
        return await _clean(scope, data, person_id=person_id)


async def _clean(scope: TenantScope, data: Mapping[str, Any], *, person_id: int) -> Submission:
    form = Form(data)
    category_id = form.field("category", forms.choice_id)
    if category_id is None and "category" not in form.errors:
        form.error("category", Message("Choose a category."))
    elif category_id is not None and not await scope.exists(FeedbackCategory).where(
            FeedbackCategory.id == category_id, FeedbackCategory.enabled == True):  # noqa: E712
        form.error("category", Message("Choose one of the list."))
    description = form.field("description", forms.text, max_length=DESCRIPTION_MAX, multiline=True)
    community_id = form.field("community", forms.choice_id)
    grid_id = form.field("grid", forms.choice_id)
    address = form.field("address", forms.text, max_length=200, required=False) or ""
    latitude = form.field("latitude", forms.number, low=-90, high=90)
    longitude = form.field("longitude", forms.number, low=-180, high=180)
    if (latitude is None) != (longitude is None) and not {"latitude", "longitude"} & set(form.errors):
        form.error("latitude", Message("Give both coordinates, or neither."))
    elif latitude is not None and longitude is not None:
        area = await bounds.of(scope.tenant_id)
        if area is not None and not area.contains(latitude, longitude):
            form.error("latitude", Message("These coordinates are outside the district."))
    if community_id is None and grid_id is None and "community" not in form.errors:
        community_id, grid_id = await home_of(scope, person_id)
    if grid_id is not None and "grid" not in form.errors:
        grid = await scope.get(Grid, grid_id)
        if grid is None or (community_id is not None and grid.community != community_id):
            form.error("grid", Message("This grid is not in the community you chose."))
        elif community_id is None:
            community_id = grid.community
    if community_id is not None and "community" not in form.errors and await scope.get(Community, community_id) is None:
        form.error("community", Message("Choose one of the list."))
    form.raise_if_invalid()
    return Submission(category_id, description, community_id, grid_id, address, latitude, longitude,
                      data.get("public") in ("1", True, "true"))


async def home_of(scope: TenantScope, person_id: int) -> tuple[int | None, int | None]:
    """The person's own community and grid in the district, from their membership."""
    for row in await scope.select(Membership, Membership.unit_kind, Membership.unit_id).where(
            Membership.person == person_id):
        if row["unit_kind"] == "grid":
            grid = await scope.get(Grid, row["unit_id"])
            return (grid.community if grid else None), row["unit_id"]
        if row["unit_kind"] == "community":
            return row["unit_id"], None
    return None, None


async def _party(scope: TenantScope, party_type: str, submission: Submission) -> tuple[str, int | None]:
    """The unit of ``party_type`` the item's place belongs to, climbing when the place is coarser."""
    if party_type == "grid":
        if submission.grid_id is not None:
            return "grid", submission.grid_id
        party_type = "community"
    if party_type == "community":
        if submission.community_id is not None:
            return "community", submission.community_id
        party_type = "street"
    if party_type == "street":
        community = await scope.get(Community, submission.community_id) if submission.community_id else None
        if community is not None:
            return "street", community.street
        return "supervision", None
    return party_type, None


async def _first_party(scope: TenantScope, category: FeedbackCategory, submission: Submission,
                       person_id: int) -> tuple[str, int | None]:
    """Who gets a new item: for a plugin's party type, whom the plugin routes it to (the firm
    serving that compound…); otherwise the unit of the category's party type at the place."""
    party_type = registry.PARTY_TYPES.get(category.default_party)
    if party_type is not None and party_type.plugin is not None:
        from core.plugins import failures
        from core.plugins.host import host

        try:
            routed = await host().call_one(party_type.plugin, "feedback_party", scope=scope, category=category.key,
                                           submission=submission, person_id=person_id)
        except Exception as error:  # the item still reaches someone: the community
            await failures.record(scope.tenant_id, party_type.plugin, "feedback routing", error)
            routed = None
        if routed:
            return routed[0], routed[1]
        return await _party(scope, "community", submission)
    return await _party(scope, category.default_party, submission)


async def submit(settings: Settings, scope: TenantScope, slug: str, person_id: int, submission: Submission, *,
                 idempotency_key: str, entered_by: int | None = None,
                 resident_agreed: bool = False, source: str = "app",
                 photos: Sequence[feedback_photos.Photo] = ()) -> tuple[FeedbackItem, bool]:
    """Register the item (or find the one this key already made); returns it and whether it is new.

    The same key with a different body is refused: a client that reuses keys would otherwise
    lose a resident's second submission silently. ``photos`` (from ``photos.prepare``) are
    stored with it, all or none; sent again under the same key they are not stored twice.
    """
    if not _KEY.match(idempotency_key or ""):
        raise Conflict(Message("A submission needs a key of 8 to 64 letters, digits, - or _."))
    if entered_by is not None and not resident_agreed:
        raise Conflict(Message("Record that the resident agreed before entering it for them."))
    fingerprint = submission.fingerprint([photo.digest for photo in photos])
    source = "grid_worker" if entered_by is not None else source
    number = None
    if not db.in_transaction():
        # The district's counter row is locked by whoever takes a number until their
        # transaction ends: taken in a short transaction of its own, it is held for one
        # statement, not for the whole submission, and submissions in a district no longer
        # queue behind each other. A submission that then fails leaves a gap in the numbers,
        # never a duplicate. A key already used takes no number.
        async with scope.transaction(write=True):
            if not await scope.exists(FeedbackItem).where(FeedbackItem.submitter == person_id,
                                                          FeedbackItem.idempotency_key == idempotency_key):
                number = await tracking.next_number(scope, slug)
    try:
        return await _register(settings, scope, slug, person_id, submission, fingerprint, idempotency_key,
                               entered_by, resident_agreed, source, photos, number)
    except Exception as error:
        # The same key sent twice at once: the unique index let one through; that one is the item.
        if not db.is_unique_violation(error):
            raise
    return await _register(settings, scope, slug, person_id, submission, fingerprint, idempotency_key,
                           entered_by, resident_agreed, source, photos)


async def _register(settings: Settings, scope: TenantScope, slug: str, person_id: int, submission: Submission,
                    fingerprint: str, idempotency_key: str, entered_by: int | None,
                    resident_agreed: bool, source: str,
                    photos: Sequence[feedback_photos.Photo], number: str | None = None) -> tuple[FeedbackItem, bool]:
    async with feedback_photos.writing(settings, scope) as files:  # a file of a rolled-back item is removed
        # A number was taken only for a key not used yet (and the same key sent twice at once
        # meets the unique index, then comes back here without a number).
        existing = None if number else await scope.objects(FeedbackItem).where(
            FeedbackItem.submitter == person_id, FeedbackItem.idempotency_key == idempotency_key).first()
        if existing is not None:
            if existing.body_hash != fingerprint:
                raise Conflict(Message("This submission key was already used for a different submission."))
            return existing, False
        category = await scope.get(FeedbackCategory, submission.category_id)
        party_type, party_id = await _first_party(scope, category, submission, person_id)
        now = clock.now()
        item = await scope.create(
            FeedbackItem, tracking_number=number or await tracking.next_number(scope, slug), category=category.id,
            submitter=person_id, entered_by=entered_by, resident_agreed=resident_agreed, source=source,
            description="" if category.private else submission.description,
            community_id=submission.community_id, grid_id=submission.grid_id, address=submission.address,
            latitude=submission.latitude, longitude=submission.longitude,
            public=submission.public and not category.private, state=State.submitted.value,
            party_type=party_type, party_id=party_id, accept_due=now + timedelta(hours=category.accept_hours),
            resolve_due=now + timedelta(hours=category.resolve_hours), idempotency_key=idempotency_key,
            body_hash=fingerprint, created_at=now, updated_at=now)
        if category.private:
            from core.protection import services as protection

            sealed = await protection.seal(settings, scope, person_id, "feedback_item", item.id,
                                           submission.description)
            await scope.update(FeedbackItem, {FeedbackItem.sealed_description: sealed}).where(
                FeedbackItem.id == item.id)
        await files.save(item, photos, stage=feedback_photos.SUBMISSION)
        await scope.create(TimelineEntry, item=item.id, at=now, actor=entered_by or person_id, action="submit",
                           to_state=State.submitted.value, party_type=party_type, party_id=party_id)
        await events.emit(scope, names.FEEDBACK_SUBMITTED, {
            "feedback_id": item.id, "person_id": person_id, "category": category.key,
            "tracking_number": item.tracking_number}, actor_id=entered_by or person_id)
        await _tell_on_arrival(scope, slug, item, entered_by)
    return item, True


async def _tell_on_arrival(scope: TenantScope, slug: str, item: FeedbackItem, entered_by: int | None) -> None:
    """The responsible party learns of a new item at once; a resident whose item a grid
    worker entered learns its tracking number (they did not see it on a screen)."""
    staff = await parties.members(scope, item.party_type, item.party_id)
    if staff:
        await notify(scope, Audience.of(*staff), kind="feedback_for_party",
                     title=Message("%(number)s is now for you to handle.", {"number": item.tracking_number}),
                     link=f"/t/{slug}/console/feedback/{item.id}")
    if entered_by is not None:
        await notify(scope, Audience.of(item.submitter), kind="feedback_changed",
                     title=Message("%(number)s was registered for you. You can follow it here.",
                                   {"number": item.tracking_number}),
                     link=f"/t/{slug}/feedback/{item.id}")


async def timeline(scope: TenantScope, item_id: int) -> list[TimelineEntry]:
    return await scope.objects(TimelineEntry).where(TimelineEntry.item == item_id).order_by(TimelineEntry.id)
