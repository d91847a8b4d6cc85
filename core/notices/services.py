"""Notices from draft to published, reviewed by someone other than the author.

draft → submitted → (returned → submitted …) → approved: published at once, or scheduled
for its publish-at → published → withdrawn (with a reason) or expired; a correction of a
published notice is a new version that goes through review again and, once published,
marks the old one ``corrected``. Every move is a transition row (who, when, comment) and
bumps the notice's revision: an action taken on a stale page is refused, so of two
reviewers acting at once one wins and the other is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from core import clock, forms
from core.errors import Conflict, NotFound, PermissionDenied
from core.events import names, services as events
from core.forms import Form
from core.i18n import Message
from core.jobs import queue
from core.notices import attachments, audience as audiences, search
from core.notices.tables import DisclosureCategory, Notice, NoticeStatus, NoticeTransition
from core.tenancy import TenantScope

PUBLISH_JOB = "notices_publish"
EXPIRE_JOB = "notices_expire"
TITLE_MAX = 120
BODY_MAX = 20_000
EDITABLE = {NoticeStatus.draft.value, NoticeStatus.returned.value}


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    category_id: int | None
    audience_kind: str
    audience_id: int | None
    audience_role: str
    pinned: bool
    urgent: bool
    publish_at: datetime | None
    expire_at: datetime | None

    def values(self) -> dict[Any, Any]:
        return {Notice.title: self.title, Notice.body: self.body, Notice.search_terms: search.terms(self.title, self.body),
                Notice.category: self.category_id,
                Notice.audience_kind: self.audience_kind, Notice.audience_id: self.audience_id,
                Notice.audience_role: self.audience_role, Notice.pinned: self.pinned, Notice.urgent: self.urgent,
                Notice.publish_at: self.publish_at, Notice.expire_at: self.expire_at}


def _moment(value: Any) -> datetime | None:
    """A ``datetime-local`` value (China Standard Time), or empty."""
    value = "" if value is None else str(value).strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise forms.FieldError(Message("Enter a date and time like 2026-12-01 09:00.")) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=clock.CHINA)).astimezone(clock.now().tzinfo)


def _audience(value: str) -> tuple[str, int | None, str]:
    """``district``, ``street:3``, ``community:5``, ``grid:7`` or ``role:grid_worker``."""
    kind, _colon, rest = value.partition(":")
    if kind == "role":
        return kind, None, rest
    if kind in audiences.UNIT_TABLES:
        return kind, int(rest) if rest.isascii() and rest.isdigit() else None, ""
    return kind, None, ""


def audience_value(notice: Notice) -> str:
    """The form value of a notice's audience (the reverse of the form's parsing)."""
    if notice.audience_kind == "role":
        return f"role:{notice.audience_role}"
    if notice.audience_kind in audiences.UNIT_TABLES:
        return f"{notice.audience_kind}:{notice.audience_id}"
    return "district"


async def clean(scope: TenantScope, data: Mapping[str, Any]) -> Draft:
    """A draft from a form, or ValidationFailed with a message for each bad field."""
    form = Form(data)
    title = form.field("title", forms.text, max_length=TITLE_MAX)
    body = form.field("body", forms.text, max_length=BODY_MAX, multiline=True, required=False) or ""
    category_id = form.field("category", forms.choice_id)
    if category_id is not None and not await scope.exists(DisclosureCategory).where(
            DisclosureCategory.id == category_id):
        form.error("category", Message("Choose one of the list."))
    kind, audience_id, role = _audience(str(data.get("audience") or "district"))
    if kind not in audiences.KINDS:
        form.error("audience", Message("Choose one of the list."))
    elif kind in audiences.UNIT_TABLES:
        if audience_id is None or await scope.get(audiences.UNIT_TABLES[kind], audience_id) is None:
            form.error("audience", Message("Choose one of the list."))
    elif kind == "role" and role not in audiences.role_choices():
        form.error("audience", Message("Choose one of the list."))
    publish_at = form.field("publish_at", _moment)
    expire_at = form.field("expire_at", _moment)
    if expire_at is not None and expire_at <= (publish_at or clock.now()):
        form.error("expire_at", Message("The notice must expire after it is published."))
    form.raise_if_invalid()
    return Draft(title, body, category_id, kind, audience_id, role, data.get("pinned") == "1",
                 data.get("urgent") == "1", publish_at, expire_at)


async def _record(scope: TenantScope, notice: Notice, action: str, to: str, actor_id: int | None,
                  comment: str = "") -> None:
    now = clock.now()
    await scope.create(NoticeTransition, notice=notice.id, action=action, from_status=notice.status, to_status=to,
                       actor=actor_id, comment=comment, at=now)
    await scope.update(Notice, {Notice.status: to, Notice.revision: Notice.revision + 1, Notice.updated_at: now}
                       ).where(Notice.id == notice.id)
    notice.status, notice.revision = to, notice.revision + 1


async def _locked(scope: TenantScope, notice_id: int, revision: int | None) -> Notice:
    """The notice, locked for this transaction; a stale revision is refused."""
    notice = await scope.get(Notice, notice_id, for_update=True)
    if notice is None:
        raise NotFound()
    if revision is not None and notice.revision != revision:
        raise Conflict(Message("Someone else changed this notice meanwhile. Look at it again before you act."))
    return notice


async def create(scope: TenantScope, draft: Draft, *, author_id: int) -> Notice:
    async with scope.transaction(write=True):
        now = clock.now()
        notice = scope.new(Notice, author=author_id, created_at=now, updated_at=now)
        for column, value in draft.values().items():
            setattr(notice, column._meta.name, value)
        await scope.save(notice)
        await scope.update(Notice, {Notice.root: notice.id}).where(Notice.id == notice.id)
        notice.root = notice.id
        await scope.create(NoticeTransition, notice=notice.id, action="create", from_status="",
                           to_status=NoticeStatus.draft.value, actor=author_id, at=now)
    return notice


async def edit(scope: TenantScope, notice_id: int, draft: Draft, *, actor_id: int, revision: int) -> Notice:
    async with scope.transaction(write=True):
        notice = await _locked(scope, notice_id, revision)
        if notice.author != actor_id:
            raise PermissionDenied(Message("Only the author edits a notice."))
        if notice.status not in EDITABLE:
            raise Conflict(Message("This notice can no longer be edited."))
        await scope.update(Notice, {**draft.values(), Notice.revision: Notice.revision + 1,
                                    Notice.updated_at: clock.now()}).where(Notice.id == notice_id)
    return await scope.get(Notice, notice_id)


async def submit(scope: TenantScope, notice_id: int, *, actor_id: int, revision: int) -> None:
    async with scope.transaction(write=True):
        notice = await _locked(scope, notice_id, revision)
        if notice.author != actor_id:
            raise PermissionDenied(Message("Only the author submits a notice for review."))
        if notice.status not in EDITABLE:
            raise Conflict(Message("This notice is not a draft."))
        await _record(scope, notice, "submit", NoticeStatus.submitted.value, actor_id)


async def send_back(scope: TenantScope, notice_id: int, *, actor_id: int, revision: int, comment: str) -> None:
    """Return a submitted notice to its author with a comment (required). The notice is
    checked before the comment: a notice no longer waiting for review is a Conflict."""
    async with scope.transaction(write=True):
        notice = await _reviewable(scope, notice_id, actor_id, revision)
        comment = _cleaned("comment", comment, required=True)
        await _record(scope, notice, "return", NoticeStatus.returned.value, actor_id, comment)


def _cleaned(name: str, value: str, *, required: bool) -> str:
    """A reviewer's comment or a reason for withdrawing, cleaned (after the notice was checked:
    a form for a step the notice can no longer take is a Conflict); ValidationFailed on ``name``."""
    form = Form({name: value})
    cleaned = form.field(name, forms.text, max_length=2000, multiline=True, required=required)
    form.raise_if_invalid()
    return cleaned


async def _reviewable(scope: TenantScope, notice_id: int, actor_id: int, revision: int) -> Notice:
    notice = await _locked(scope, notice_id, revision)
    if notice.status != NoticeStatus.submitted.value:
        raise Conflict(Message("This notice is not waiting for review."))
    if notice.author == actor_id:
        raise PermissionDenied(Message("Someone other than the author must review a notice."))
    return notice


async def approve(scope: TenantScope, notice_id: int, *, actor_id: int, revision: int, comment: str = "") -> str:
    """Approve a submitted notice: published now when its publish-at has come (or is empty),
    else scheduled. Returns the new status."""
    async with scope.transaction(write=True):
        notice = await _reviewable(scope, notice_id, actor_id, revision)
        comment = _cleaned("comment", comment, required=False)
        await scope.update(Notice, {Notice.reviewer: actor_id}).where(Notice.id == notice_id)
        # Approved means scheduled; a publish-at that is empty or past publishes it at once.
        await _record(scope, notice, "approve", NoticeStatus.scheduled.value, actor_id, comment)
        if notice.publish_at is not None and notice.publish_at > clock.now():
            queue.enqueue_after_commit(PUBLISH_JOB, scope.tenant_id, key=notice_id, notice_id=notice_id,
                                       defer_until=notice.publish_at)
        else:
            await _publish(scope, notice)
    return notice.status


async def publish_due(scope: TenantScope, notice_id: int) -> bool:
    """Publish a scheduled notice whose time has come (the job; idempotent)."""
    async with scope.transaction(write=True):
        notice = await scope.get(Notice, notice_id, for_update=True)
        if notice is None or notice.status != NoticeStatus.scheduled.value:
            return False
        if notice.publish_at is not None and notice.publish_at > clock.now():
            queue.enqueue_after_commit(PUBLISH_JOB, scope.tenant_id, key=notice_id, notice_id=notice_id,
                                       defer_until=notice.publish_at)
            return False
        await _publish(scope, notice)
    return True


async def _publish(scope: TenantScope, notice: Notice) -> None:
    now = clock.now()
    await _record(scope, notice, "publish", NoticeStatus.published.value, None)
    await scope.update(Notice, {Notice.published_at: now}).where(Notice.id == notice.id)
    for older in await scope.objects(Notice).where(Notice.root == notice.root, Notice.id != notice.id,
                                                   Notice.status == NoticeStatus.published.value):
        await _record(scope, older, "correct", NoticeStatus.corrected.value, None)
    if notice.expire_at is not None:
        queue.enqueue_after_commit(EXPIRE_JOB, scope.tenant_id, key=notice.id, notice_id=notice.id,
                                   defer_until=notice.expire_at)
    await events.emit(scope, names.NOTICE_PUBLISHED, {
        "notice_id": notice.id, "root": notice.root, "version": notice.version, "title": notice.title,
        "urgent": notice.urgent, "audience_kind": notice.audience_kind, "audience_id": notice.audience_id,
        "audience_role": notice.audience_role})


async def withdraw(scope: TenantScope, notice_id: int, *, actor_id: int, revision: int, reason: str) -> None:
    """Withdraw a published or scheduled notice, saying why (required). The notice is checked
    before the reason: one already withdrawn, or changed meanwhile, is a Conflict."""
    async with scope.transaction(write=True):
        notice = await _locked(scope, notice_id, revision)
        if notice.status not in (NoticeStatus.published.value, NoticeStatus.scheduled.value):
            raise Conflict(Message("Only a published or scheduled notice can be withdrawn."))
        reason = _cleaned("reason", reason, required=True)
        await _record(scope, notice, "withdraw", NoticeStatus.withdrawn.value, actor_id, reason)
        await scope.update(Notice, {Notice.withdrawn_reason: reason}).where(Notice.id == notice_id)


async def expire_due(scope: TenantScope, notice_id: int) -> bool:
    async with scope.transaction(write=True):
        notice = await scope.get(Notice, notice_id, for_update=True)
        if notice is None or notice.status != NoticeStatus.published.value or notice.expire_at is None:
            return False
        if notice.expire_at > clock.now():
            queue.enqueue_after_commit(EXPIRE_JOB, scope.tenant_id, key=notice_id, notice_id=notice_id,
                                       defer_until=notice.expire_at)
            return False
        await _record(scope, notice, "expire", NoticeStatus.expired.value, None)
    return True


async def correct(scope: TenantScope, notice_id: int, *, actor_id: int) -> Notice:
    """Start a correction of a published notice: a new draft version, copied from it."""
    async with scope.transaction(write=True):
        notice = await _locked(scope, notice_id, None)
        if notice.status != NoticeStatus.published.value:
            raise Conflict(Message("Only a published notice is corrected."))
        if await scope.exists(Notice).where(Notice.root == notice.root, Notice.status.is_in(
                [NoticeStatus.draft.value, NoticeStatus.submitted.value, NoticeStatus.returned.value,
                 NoticeStatus.scheduled.value])):
            raise Conflict(Message("A correction of this notice is already under way."))
        now = clock.now()
        newest = max(row["version"] for row in await scope.select(Notice, Notice.version).where(
            Notice.root == notice.root))
        copy = scope.new(Notice, root=notice.root, version=newest + 1, category=notice.category, title=notice.title,
                         body=notice.body, search_terms=notice.search_terms, audience_kind=notice.audience_kind, audience_id=notice.audience_id,
                         audience_role=notice.audience_role, pinned=notice.pinned, urgent=notice.urgent,
                         expire_at=notice.expire_at, author=actor_id, created_at=now, updated_at=now)
        await scope.save(copy)
        await attachments.copy_to(scope, notice.id, copy.id)
        await scope.create(NoticeTransition, notice=copy.id, action="create", from_status="",
                           to_status=NoticeStatus.draft.value, actor=actor_id, at=now,
                           comment=f"correction of version {notice.version}")
    return copy


async def transitions(scope: TenantScope, notice_id: int) -> list[NoticeTransition]:
    return await scope.objects(NoticeTransition).where(NoticeTransition.notice == notice_id).order_by(
        NoticeTransition.id)
