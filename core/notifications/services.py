"""Notifying people: the inbox always, other channels by preference, in batches.

:func:`notify` writes one :class:`Notification` in the caller's transaction and, after commit,
queues its fan-out (:func:`notify_many` writes many in one statement, and queues one job that
fans them all out, :func:`fan_out_many`). Each fan-out batch is one transaction: it locks the
notification, checks that its cursor is where this job expected, inserts the next batch of
inbox entries (a unique index makes a second insert for the same person impossible), plans
their channel messages and moves the cursor. A batch killed half-way commits nothing; a batch
run twice finds the cursor moved and does nothing. Either way each recipient gets exactly one
inbox entry.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from core import clock, db, i18n
from core.accounts.tables import Person
from core.config import Settings
from core.i18n import Message
from core.jobs import queue
from core.notifications import channels as channel_registry
from core.notifications.audience import Audience, next_batch
from core.push import channel as push_channel  # noqa: F401  (registers the push channel)
from core.push import services as push
from core.notifications.tables import (
    ChannelMessage,
    ChannelStatus,
    InboxEntry,
    Notification,
    NotificationPreference,
)
from core.tenancy import TenantScope, among, id_list, json_rows, rows_from_json, typed

log = logging.getLogger("gongzhi.notifications")

FAN_OUT_JOB = "notifications_fan_out"
FAN_OUT_MANY_JOB = "notifications_fan_out_many"
SEND_JOB = "notifications_send"
FAN_OUT_BATCH = 2000
CHANNEL_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
PREFERENCE_CHOICES = ("all", "urgent", "off")


def _message_json(message: Message | None) -> str:
    return "" if message is None else json.dumps({"msgid": message.msgid, "params": message.params},
                                                 ensure_ascii=False, default=str)


def _message(text: str) -> Message | None:
    if not text:
        return None
    data = json.loads(text)
    return Message(data["msgid"], data.get("params", {}))


async def notify(scope: TenantScope, audience: Audience, *, kind: str, title: Message, body: Message | None = None,
                 link: str = "", urgent: bool = False, source_event_id: int | None = None) -> Notification:
    """Notify ``audience`` in the scope's district (in the open write transaction, or a new one).

    ``title`` and ``body`` are messages translated for each reader; ``link`` is a path of this
    site. The inboxes are filled by jobs after commit.
    """
    _check_link(link)
    async with scope.transaction(write=True):
        now = clock.now()
        notification = await scope.create(
            Notification, kind=kind, title=_message_json(title), body=_message_json(body), link=link, urgent=urgent,
            audience=audience.to_json(), source_event_id=source_event_id, created_at=now, progress_at=now)
        _queue_fan_out(scope.tenant_id, notification.id, 0)
    return notification


def _check_link(link: str) -> None:
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError("a notification links to a path of this site")


@dataclass(frozen=True)
class Draft:
    """One notification of :func:`notify_many`, with what :func:`notify` takes."""

    audience: Audience
    kind: str
    title: Message
    body: Message | None = None
    link: str = ""
    urgent: bool = False


_DRAFT_COLUMNS = {"kind": "text", "title": "text", "body": "text", "link": "text", "urgent": "boolean",
                  "audience": "text"}


async def notify_many(scope: TenantScope, drafts: Sequence[Draft]) -> list[int]:
    """:func:`notify` of each draft: one notification each, written in one statement (in the
    open write transaction, or a new one); returns their ids. After commit one job fills the
    inboxes of all of them (:func:`fan_out_many`), instead of a job each."""
    if not drafts:
        return []
    for draft in drafts:
        _check_link(draft.link)
    async with scope.transaction(write=True):
        now = clock.now()
        rows = await scope.raw(
            Notification,
            "INSERT INTO core_notification (tenant_id, kind, title, body, link, urgent, audience, source_event_id, "
            "created_at, fan_out_cursor, progress_at, fanned_out_at, recipients) "
            f"SELECT {{tenant}}, v.kind, v.title, v.body, v.link, v.urgent, v.audience, NULL, {typed('timestamptz')}, "
            f"0, {typed('timestamptz')}, NULL, 0 FROM {rows_from_json(_DRAFT_COLUMNS)} RETURNING id",
            now, now, json_rows({"kind": d.kind, "title": _message_json(d.title), "body": _message_json(d.body),
                                 "link": d.link, "urgent": d.urgent, "audience": d.audience.to_json()}
                                for d in drafts))
        ids = sorted(row["id"] for row in rows)
        queue.enqueue_after_commit(FAN_OUT_MANY_JOB, scope.tenant_id, key=ids[0], notification_ids=ids)
    return ids


def _queue_fan_out(tenant_id: int, notification_id: int, cursor: int) -> None:
    queue.enqueue_after_commit(FAN_OUT_JOB, tenant_id, key=f"{notification_id}:{cursor}",
                               notification_id=notification_id, cursor=cursor)


async def fan_out_batch(tenant_id: int, notification_id: int, cursor: int) -> str:
    """One batch of a notification's fan-out, from ``cursor``. Returns ``batch``, ``finished``,
    ``moved`` (another run already did this batch) or ``gone``."""
    scope = TenantScope(tenant_id)
    async with scope.transaction(write=True):
        notification = await scope.get(Notification, notification_id, for_update=True)
        if notification is None:
            return "gone"
        if notification.fanned_out_at is not None:
            return "finished"
        if notification.fan_out_cursor != cursor:
            _queue_fan_out(tenant_id, notification_id, notification.fan_out_cursor)
            return "moved"
        people = await next_batch(scope, Audience.from_json(notification.audience), after=cursor, limit=FAN_OUT_BATCH)
        now = clock.now()
        added = await _insert_entries(scope, notification_id, people, now)
        planned = await _plan_channel_messages(scope, notification, added, now)
        finished = len(people) < FAN_OUT_BATCH
        await scope.update(Notification, {
            Notification.fan_out_cursor: people[-1] if people else cursor,
            Notification.recipients: Notification.recipients + len(added),
            Notification.progress_at: now,
            Notification.fanned_out_at: now if finished else None,
        }).where(Notification.id == notification_id)
        for message_id, not_before in planned:
            queue.enqueue_after_commit(SEND_JOB, tenant_id, key=message_id, message_id=message_id,
                                       defer_until=not_before if not_before > now else None)
        if not finished:
            _queue_fan_out(tenant_id, notification_id, people[-1])
    return "finished" if finished else "batch"


async def fan_out_many(tenant_id: int, notification_ids: list[int]) -> int:
    """The whole fan-out of many notifications to a few named people each (what
    :func:`notify_many` writes), in one transaction: each is locked, found untouched, finished,
    its inbox entries inserted and its channel messages planned. One to more people than a
    batch, or to the district's members, is left to its own fan-out, queued here. Returns how
    many it finished."""
    scope = TenantScope(tenant_id)
    async with scope.transaction(write=True):
        # Found by their ids (and district) only, locked in id order as a second run would lock
        # them. The rows are new: a condition on another column (fanned_out_at) could lead the
        # planner, from statistics not yet gathered, to read that column's whole index instead.
        lock = "" if db.is_sqlite() else " FOR UPDATE"
        rows = await scope.raw(
            Notification,
            "SELECT id, audience, urgent, fan_out_cursor, fanned_out_at FROM core_notification "
            f"WHERE tenant_id = {{tenant}} AND {among('id')} ORDER BY id{lock}", id_list(notification_ids))
        small: dict[int, tuple[tuple[int, ...], bool]] = {}
        for row in rows:
            if row["fanned_out_at"] is not None or row["fan_out_cursor"] != 0:
                continue  # finished, or under way in its own fan-out
            audience = Audience.from_json(row["audience"])
            if audience.members or len(audience.persons) > FAN_OUT_BATCH:
                _queue_fan_out(tenant_id, row["id"], 0)
            else:
                small[row["id"]] = (audience.persons, bool(row["urgent"]))
        if not small:
            return 0
        now = clock.now()
        pairs = [{"notification": n, "person": person} for n, (persons, _urgent) in small.items()
                 for person in persons]
        added = await scope.raw(
            InboxEntry,
            "INSERT INTO core_inbox_entry (tenant_id, notification, person, created_at, read_at) "
            f"SELECT {{tenant}}, v.notification, v.person, {typed('timestamptz')}, NULL FROM "
            f"{rows_from_json({'notification': 'integer', 'person': 'integer'})} WHERE true "
            "ON CONFLICT (notification, person) DO NOTHING RETURNING id, notification, person",
            now, json_rows(pairs)) if pairs else []
        planned = await _plan_entries(scope, [(row["id"], row["person"], small[row["notification"]][1])
                                              for row in sorted(added, key=lambda r: r["id"])], now)
        # Each finished as fan_out_batch finishes its last batch: the cursor at its last person,
        # its recipients counted, through the index of its entries (the notification is the
        # district's; a condition on the district here too would tempt the planner, again, to
        # read all of the district's entries for each notification).
        entries = "FROM core_inbox_entry e WHERE e.notification = core_notification.id"
        await scope.raw(
            Notification,
            f"UPDATE core_notification SET fan_out_cursor = COALESCE((SELECT max(e.person) {entries}), 0), "
            f"recipients = (SELECT count(*) {entries}), progress_at = {{}}, fanned_out_at = {{}} "
            f"WHERE tenant_id = {{tenant}} AND {among('id')}",
            now, now, id_list(small))
        for message_id, not_before in planned:
            queue.enqueue_after_commit(SEND_JOB, tenant_id, key=message_id, message_id=message_id,
                                       defer_until=not_before if not_before > now else None)
    return len(small)


async def _insert_entries(scope: TenantScope, notification_id: int, people: list[int],
                          now: datetime) -> dict[int, int]:
    """Insert inbox entries for ``people`` that have none yet; returns {person: entry id} of those added."""
    if not people:
        return {}
    if db.is_sqlite():
        source = "SELECT CAST(value AS INTEGER) AS person FROM json_each({})"
    else:
        source = "SELECT unnest(CAST({} AS integer[])) AS person"
    # "WHERE true": SQLite's parser needs it between INSERT … SELECT and ON CONFLICT.
    rows = await scope.raw(
        InboxEntry,
        "INSERT INTO core_inbox_entry (tenant_id, notification, person, created_at, read_at) "
        f"SELECT {{tenant}}, {{}}, p.person, {{}}, NULL FROM ({source}) AS p WHERE true "
        "ON CONFLICT (notification, person) DO NOTHING RETURNING id, person",
        notification_id, now, json.dumps(people) if db.is_sqlite() else people,
    )
    return {row["person"]: row["id"] for row in rows}


@dataclass(frozen=True)
class _Preference:
    email: str = "all"
    sms: str = "urgent"
    quiet_start: int = 22
    quiet_end: int = 7
    push: str = "all"


async def _contacts(person_ids: list[int]) -> dict[int, tuple[dict[str, Any], _Preference]]:
    """Each person's phone, email and preferences, in one query with one parameter (a
    batch has thousands of people)."""
    if db.is_sqlite():
        ids, wanted = json.dumps(person_ids), "p.id IN (SELECT CAST(value AS INTEGER) FROM json_each({}))"
    else:
        ids, wanted = person_ids, "p.id = ANY(CAST({} AS integer[]))"
    rows = await Person.raw(
        "SELECT p.id, p.phone, p.email, np.email AS pref_email, np.sms AS pref_sms, np.quiet_start, np.quiet_end, "
        "np.push AS pref_push "
        "FROM accounts_person p LEFT JOIN core_notification_preference np ON np.person = p.id WHERE " + wanted, ids)
    default = _Preference()
    return {
        row["id"]: (row, _Preference(row["pref_email"], row["pref_sms"], row["quiet_start"], row["quiet_end"],
                                     row["pref_push"])
                    if row["pref_email"] is not None else default)
        for row in rows
    }


async def preferences_of(person_ids: list[int]) -> dict[int, _Preference]:
    rows = await NotificationPreference.select().where(NotificationPreference.person.is_in(person_ids)) \
        if person_ids else []
    found = {row["person"]: _Preference(row["email"], row["sms"], row["quiet_start"], row["quiet_end"], row["push"])
             for row in rows}
    return {person: found.get(person, _Preference()) for person in person_ids}


def quiet_until(moment: datetime, start: int, end: int) -> datetime | None:
    """The end of the person's quiet hours if ``moment`` falls in them, else None."""
    if start == end:
        return None
    local = clock.local(moment)
    hour = local.hour
    inside = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    ending = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ending <= local:
        ending += timedelta(days=1)
    return ending.astimezone(moment.tzinfo)


def _wants(choice: str, urgent: bool) -> bool:
    return choice == "all" or (choice == "urgent" and urgent)


async def _plan_channel_messages(scope: TenantScope, notification: Notification, added: dict[int, int],
                                 now: datetime) -> list[tuple[int, datetime]]:
    """Channel messages for one notification's new entries ({person: entry id})."""
    return await _plan_entries(scope, [(entry_id, person_id, notification.urgent)
                                       for person_id, entry_id in added.items()], now)


CHANNEL_MESSAGES_PER_INSERT = 1000  # a statement's parameters are limited


async def _plan_entries(scope: TenantScope, entries: list[tuple[int, int, bool]],
                        now: datetime) -> list[tuple[int, datetime]]:
    """Channel messages for new inbox entries (entry id, person, urgent), by each person's
    preferences and the district's settings (push costs the district nothing: it goes to every
    device a person turned it on in); returns (message id, not before)."""
    if not entries:
        return []
    from tenants.tables import Tenant

    district = await Tenant.select(Tenant.notify_by_email, Tenant.notify_by_sms).where(
        Tenant.id == scope.tenant_id).first()
    allowed = {"email": district["notify_by_email"], "sms": district["notify_by_sms"]}
    persons = sorted({person_id for _entry, person_id, _urgent in entries})
    devices = await push.person_devices(scope, persons)
    if not any(allowed.values()) and not devices:
        return []
    people = await _contacts(persons)
    rows: list[dict[str, Any]] = []
    for entry_id, person_id, urgent in entries:
        if person_id not in people:
            continue
        person, preference = people[person_id]
        quiet = None if urgent else quiet_until(now, preference.quiet_start, preference.quiet_end)
        for channel, reachable in (("email", person["email"]), ("sms", person["phone"])):
            if allowed[channel] and reachable and _wants(getattr(preference, channel), urgent):
                rows.append({"inbox_entry": entry_id, "person": person_id, "channel": channel,
                             "not_before": quiet or now})
        if _wants(preference.push, urgent):
            rows.extend({"inbox_entry": entry_id, "person": person_id, "channel": "push", "device": device,
                         "not_before": quiet or now} for device in devices.get(person_id, ()))
    ids = []
    for start in range(0, len(rows), CHANNEL_MESSAGES_PER_INSERT):
        ids += await scope.insert_many(ChannelMessage, rows[start:start + CHANNEL_MESSAGES_PER_INSERT])
    return [(message_id, row["not_before"]) for message_id, row in zip(ids, rows)]


# Sending ------------------------------------------------------------------------------


def render(notification: Notification, language: str, settings: Settings) -> channel_registry.RenderedMessage:
    title = _message(notification.title)
    body = _message(notification.body)
    return channel_registry.RenderedMessage(
        title=i18n.translate(title, language) if title else "",
        text=i18n.translate(body, language) if body else "",
        url=settings.public_url + (notification.link or "/"),
        urgent=notification.urgent,
        link=notification.link or "/",
    )


async def send_channel_message(settings: Settings, tenant_id: int, message_id: int) -> str:
    """Send one channel message unless it was sent. Returns ``sent``, ``skipped``, ``later``,
    ``retry`` or ``failed``. Delivery to the outside is at least once: a process killed between
    the provider's answer and the commit sends again."""
    scope = TenantScope(tenant_id)
    message = await scope.get(ChannelMessage, message_id)
    if message is None or message.status != ChannelStatus.pending.value:
        return "skipped"
    now = clock.now()
    if message.not_before > now:
        await queue.enqueue(SEND_JOB, tenant_id, key=message_id, message_id=message_id, defer_until=message.not_before)
        return "later"
    entry = await scope.get(InboxEntry, message.inbox_entry)
    notification = await scope.get(Notification, entry.notification)
    person = await Person.objects().where(Person.id == message.person).first()
    channel = channel_registry.CHANNELS.get(message.channel)
    # A push goes to one device, which the person may have taken off since (or given to another).
    device = await push.subscription(scope, message.device) if message.device else None
    if device is not None and device.person != message.person:
        device = None
    recipient = channel_registry.Recipient(person.id, person.display_name, person.phone, person.email,
                                           person.language or i18n.DEFAULT_LANGUAGE, device) if person else None
    if channel is None or recipient is None or not channel.can_reach(recipient):
        await _finish(scope, message_id, ChannelStatus.failed, error="no way to reach the person on this channel")
        return "failed"
    result = await channel.send(settings, recipient, render(notification, recipient.language, settings))
    if result.accepted:
        await _finish(scope, message_id, ChannelStatus.sent, provider_message_id=result.provider_message_id)
        if device is not None:
            await push.mark_sent(scope, device.id)
        return "sent"
    attempts = message.attempts + 1
    if result.gone and device is not None:
        await push.forget(scope, device.id)
    if result.gone or attempts > len(CHANNEL_BACKOFF):
        await _finish(scope, message_id, ChannelStatus.failed, error=result.error, attempts=attempts)
        return "failed"
    retry_at = now + CHANNEL_BACKOFF[attempts - 1]
    await scope.update(ChannelMessage, {ChannelMessage.attempts: attempts, ChannelMessage.last_error: result.error[:2000],
                                        ChannelMessage.not_before: retry_at}).where(ChannelMessage.id == message_id)
    await queue.enqueue(SEND_JOB, tenant_id, key=f"{message_id}:{attempts}", message_id=message_id,
                        defer_until=retry_at)
    return "retry"


async def _finish(scope: TenantScope, message_id: int, status: ChannelStatus, *, error: str = "",
                  provider_message_id: str = "", attempts: int | None = None) -> None:
    values: dict[Any, Any] = {ChannelMessage.status: status.value, ChannelMessage.last_error: error[:2000],
                              ChannelMessage.provider_message_id: provider_message_id[:200]}
    if status is ChannelStatus.sent:
        values[ChannelMessage.sent_at] = clock.now()
    if attempts is not None:
        values[ChannelMessage.attempts] = attempts
    await scope.update(ChannelMessage, values).where(ChannelMessage.id == message_id,
                                                     ChannelMessage.status == ChannelStatus.pending.value)


# The sweep ----------------------------------------------------------------------------


async def requeue_waiting(before: datetime) -> int:
    """Fan-outs that stopped moving and channel messages that are due, in every district."""
    from core import platform_scope

    count = 0
    for row in await platform_scope.stalled_fan_outs(before):
        await queue.enqueue(FAN_OUT_JOB, row["tenant_id"], key=f"{row['id']}:{row['fan_out_cursor']}",
                            notification_id=row["id"], cursor=row["fan_out_cursor"])
        count += 1
    for row in await platform_scope.due_channel_messages(before):
        await queue.enqueue(SEND_JOB, row["tenant_id"], key=row["id"], message_id=row["id"])
        count += 1
    return count


# The inbox ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    id: int
    title: str
    text: str
    link: str
    urgent: bool
    created_at: datetime
    read_at: datetime | None


PAGE_SIZE = 20


async def unread_count(scope: TenantScope, person_id: int) -> int:
    return await scope.count(InboxEntry).where(InboxEntry.person == person_id, InboxEntry.read_at.is_null())


async def inbox(scope: TenantScope, person_id: int, *, before: int | None = None,
                limit: int = PAGE_SIZE) -> tuple[list[InboxItem], int | None]:
    """A page of the person's inbox, newest first, translated into the current language;
    and the id to continue from (None on the last page)."""
    query = scope.select(
        InboxEntry, InboxEntry.id, InboxEntry.created_at, InboxEntry.read_at, InboxEntry.notification.title,
        InboxEntry.notification.body, InboxEntry.notification.link, InboxEntry.notification.urgent,
    ).where(InboxEntry.person == person_id)
    if before is not None:
        query = query.where(InboxEntry.id < before)
    rows = await query.order_by(InboxEntry.id, ascending=False).limit(limit + 1)
    items = []
    for row in rows[:limit]:
        title, body = _message(row["notification.title"]), _message(row["notification.body"])
        items.append(InboxItem(row["id"], str(title) if title else "", str(body) if body else "",
                               row["notification.link"], row["notification.urgent"], row["created_at"],
                               row["read_at"]))
    return items, (items[-1].id if len(rows) > limit else None)


async def open_entry(scope: TenantScope, person_id: int, entry_id: int) -> str:
    """Mark the person's entry read; returns the path it links to."""
    from core.errors import NotFound

    async with scope.transaction(write=True):
        entry = await scope.get(InboxEntry, entry_id)
        if entry is None or entry.person != person_id:
            raise NotFound()
        if entry.read_at is None:
            await scope.update(InboxEntry, {InboxEntry.read_at: clock.now()}).where(InboxEntry.id == entry_id)
        notification = await scope.get(Notification, entry.notification)
    return notification.link


async def mark_all_read(scope: TenantScope, person_id: int) -> None:
    await scope.update(InboxEntry, {InboxEntry.read_at: clock.now()}).where(
        InboxEntry.person == person_id, InboxEntry.read_at.is_null())


# Preferences --------------------------------------------------------------------------


async def preference(person_id: int) -> _Preference:
    return (await preferences_of([person_id]))[person_id]


async def save_preference(person_id: int, *, email: str, sms: str, quiet_start: int, quiet_end: int,
                          push: str = "all") -> None:
    async with db.transaction(write=True):
        existing = await NotificationPreference.objects().where(NotificationPreference.person == person_id).first()
        if existing is None:
            existing = NotificationPreference(person=person_id)
        existing.email, existing.sms, existing.push = email, sms, push
        existing.quiet_start, existing.quiet_end = quiet_start, quiet_end
        await existing.save()
