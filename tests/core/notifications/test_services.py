"""Notifications: inbox always, exactly once per person; channels by preference, quiet hours."""

from dataclasses import replace
from email.header import decode_header, make_header
from datetime import datetime, timedelta

import pytest

from core import clock, i18n
from core.accounts import registration, services as accounts
from core.accounts.tables import Person
from core.config import Settings
from core.i18n import Message
from core.messaging import outbox
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import ChannelMessage, InboxEntry, Notification, NotificationPreference
from core.tenancy import TenantScope
from tenants.tables import Community, Street, Tenant


@pytest.fixture
async def community(tenant):
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    return await scope.create(Community, street=street.id, name="北大街社区")


async def _titles(scope, person_id, language="zh-Hans"):
    token = i18n.set_language(language)
    try:
        items, _more = await services.inbox(scope, person_id)
    finally:
        i18n.reset_language(token)
    return [item.title for item in items]


async def test_a_new_resident_finds_a_welcome_in_their_inbox(tenant, community, jobs):
    scope = TenantScope(tenant.id)
    draft = await registration.clean(scope, {"display_name": "刘芳", "identifier": "13800000021",
                                             "community": str(community.id)})
    person = await registration.register(scope, draft)
    assert await scope.count(InboxEntry) == 0  # nothing before the jobs run
    await jobs.run_due()
    assert await _titles(scope, person.id) == ["欢迎使用共治·秦都区"]
    assert await _titles(scope, person.id, "en") == ["Welcome to 秦都区 on Gongzhi"]
    assert await services.unread_count(scope, person.id) == 1
    # Registering again changes nothing, and tells nobody anything twice.
    await registration.register(scope, draft)
    await jobs.run_due()
    assert await scope.count(InboxEntry) == 1
    assert not jobs.failures


async def test_staff_roles_bring_a_message_pointing_at_the_console(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    person = await make_person("李秀英", "13900000011")
    await accounts.add_membership(scope, person.id, ["staff"])
    await accounts.add_membership(scope, person.id, ["staff"])  # nothing new: no second message
    await jobs.run_due()
    items, _ = await services.inbox(scope, person.id)
    assert len(items) == 1 and items[0].link == "/t/qindu/console/"


async def _people(make_person, count, start=1):
    return [await make_person(f"居民{i}", f"1380000{i:04d}") for i in range(start, start + count)]


async def test_fan_out_in_batches_gives_each_person_exactly_one_entry(tenant, make_person, jobs, monkeypatch):
    monkeypatch.setattr(services, "FAN_OUT_BATCH", 2)
    scope = TenantScope(tenant.id)
    people = await _people(make_person, 5)
    for person in people:
        await accounts.add_membership(scope, person.id, ["resident"])
    await jobs.run_due()
    before = await scope.count(InboxEntry)
    notification = await services.notify(scope, Audience.district_members(roles=("resident",)), kind="test",
                                         title=Message("Messages"))
    await jobs.run_due()
    assert await scope.count(InboxEntry) - before == 5
    row = await scope.get(Notification, notification.id)
    assert row.fanned_out_at is not None and row.recipients == 5 and row.fan_out_cursor == people[-1].id
    # The same batch run again finds the cursor moved, and a fan-out started over from the
    # beginning (its progress lost) meets the unique index: still one entry each.
    assert await services.fan_out_batch(tenant.id, notification.id, 0) == "finished"
    await scope.update(Notification, {Notification.fan_out_cursor: 0, Notification.fanned_out_at: None}).where(
        Notification.id == notification.id)
    assert await services.fan_out_batch(tenant.id, notification.id, 0) == "batch"
    await jobs.run_due()
    entries = await scope.select(InboxEntry, InboxEntry.person).where(InboxEntry.notification == notification.id)
    assert sorted(e["person"] for e in entries) == sorted(p.id for p in people)


async def test_audience_by_unit_reaches_only_that_unit(tenant, community, make_person, jobs):
    scope = TenantScope(tenant.id)
    inside, outside = await _people(make_person, 2)
    await accounts.add_membership(scope, inside.id, ["resident"], "community", community.id)
    await accounts.add_membership(scope, outside.id, ["resident"])
    notification = await services.notify(scope, Audience.district_members(
        roles=("resident",), unit_kind="community", unit_id=community.id), kind="test", title=Message("Messages"))
    await jobs.run_due()
    entries = await scope.select(InboxEntry, InboxEntry.person).where(InboxEntry.notification == notification.id)
    assert [e["person"] for e in entries] == [inside.id]


async def test_a_rolled_back_notification_reaches_nobody(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    person = await make_person()
    with pytest.raises(RuntimeError):
        async with scope.transaction(write=True):
            await services.notify(scope, Audience.of(person.id), kind="test", title=Message("Messages"))
            raise RuntimeError("the change failed")
    assert jobs.queued() == []
    await jobs.run_due()
    assert await scope.count(Notification) == 0 and await scope.count(InboxEntry) == 0


async def _notify_one(scope, person, *, urgent=False, link="/t/qindu/"):
    return await services.notify(scope, Audience.of(person.id), kind="test", urgent=urgent, link=link,
                                 title=Message("Welcome to %(district)s on Gongzhi", {"district": "秦都区"}),
                                 body=Message("Your new roles take effect at once. Open the console to begin."))


async def test_email_goes_out_over_smtp_in_the_readers_language(tenant, make_person, jobs, smtp_server):
    controller, handler = smtp_server
    jobs.settings = replace(Settings.from_env(), smtp_url=f"smtp://127.0.0.1:{controller.port}")
    scope = TenantScope(tenant.id)
    person = await make_person()
    await Person.update({Person.email: "wang.fang@example.com", Person.language: "en"}).where(Person.id == person.id)
    clock.set_now(datetime(2026, 11, 30, 10, 0, tzinfo=clock.CHINA))
    await _notify_one(scope, person)
    await jobs.run_due()
    assert len(handler.messages) == 1
    email = handler.messages[0]
    assert email["To"] == "wang.fang@example.com"
    assert str(make_header(decode_header(email["Subject"]))) == "Welcome to 秦都区 on Gongzhi"
    assert "http://127.0.0.1:8000/t/qindu/" in email.get_payload(decode=True).decode()
    message = await scope.objects(ChannelMessage).first()
    assert message.channel == "email" and message.status == "sent" and message.sent_at is not None
    # SMS is for urgent messages by default: none was planned.
    assert await scope.count(ChannelMessage) == 1


async def test_quiet_hours_hold_back_what_is_not_urgent(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    person = await make_person("陈明", "13800000022")
    await services.save_preference(person.id, email="all", sms="all", quiet_start=22, quiet_end=7)
    sms_box = Settings.from_env().outbox_dir / "sms"
    clock.set_now(datetime(2026, 11, 30, 23, 30, tzinfo=clock.CHINA))
    await _notify_one(scope, person)
    await jobs.run_due()
    assert outbox.read(sms_box, to="13800000022") == []
    assert await services.unread_count(scope, person.id) == 1  # the inbox does not wait
    message = await scope.objects(ChannelMessage).first()
    assert clock.local(message.not_before) == datetime(2026, 12, 1, 7, 0, tzinfo=clock.CHINA)
    clock.set_now(datetime(2026, 12, 1, 7, 0, 5, tzinfo=clock.CHINA))
    await jobs.run_due()
    sent = outbox.read(sms_box, to="13800000022")
    assert len(sent) == 1 and "欢迎使用共治·秦都区" in sent[0]["text"]


async def test_urgent_messages_ignore_quiet_hours_and_reach_sms_by_default(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    person = await make_person("陈明", "13800000023")
    clock.set_now(datetime(2026, 11, 30, 2, 0, tzinfo=clock.CHINA))
    await _notify_one(scope, person, urgent=True)
    await jobs.run_due()
    assert len(outbox.read(Settings.from_env().outbox_dir / "sms", to="13800000023")) == 1


async def test_the_district_can_turn_channels_off(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    person = await make_person("陈明", "13800000024")
    await Tenant.update({Tenant.notify_by_sms: False}).where(Tenant.id == tenant.id)
    await _notify_one(scope, person, urgent=True)
    await jobs.run_due()
    assert await scope.count(ChannelMessage) == 0
    assert await services.unread_count(scope, person.id) == 1


async def test_a_failed_send_is_retried_with_backoff_then_given_up(tenant, make_person, jobs, monkeypatch):
    from core.messaging.gateway import DeliveryResult
    from core.notifications import channels

    attempts = []

    async def refuse(settings, recipient, message):
        attempts.append(clock.now())
        return DeliveryResult(accepted=False, provider="test", error="gateway busy")

    monkeypatch.setattr(channels.CHANNELS["sms"], "send", refuse)
    scope = TenantScope(tenant.id)
    person = await make_person("陈明", "13800000025")
    await _notify_one(scope, person, urgent=True)
    await jobs.run_due()
    assert len(attempts) == 1
    message = await scope.objects(ChannelMessage).first()
    assert message.status == "pending" and message.attempts == 1 and message.last_error == "gateway busy"
    for step in services.CHANNEL_BACKOFF:
        clock.advance(step + timedelta(seconds=1))
        await jobs.run_due()
    message = await scope.objects(ChannelMessage).first()
    assert message.status == "failed" and len(attempts) == len(services.CHANNEL_BACKOFF) + 1


async def test_many_notifications_at_once_reach_each_inbox_once_through_one_job(tenant, make_person, jobs):
    scope = TenantScope(tenant.id)
    a, b = await make_person("陈明", "13800000031"), await make_person("李华", "13800000032")
    for person in (a, b):
        await accounts.add_membership(scope, person.id, ["resident"], "", None)
    await jobs.run_due()  # what joining brings
    before = {p.id: await services.unread_count(scope, p.id) for p in (a, b)}
    entries, sent = await scope.count(InboxEntry), {m.id for m in await scope.objects(ChannelMessage)}
    clock.set_now(datetime(2026, 12, 1, 10, 0, tzinfo=clock.CHINA))
    title = Message("%(number)s was accepted.", {"number": "QD-2026-000001"})
    ids = await services.notify_many(scope, [
        services.Draft(Audience.of(a.id), kind="feedback_changed", title=title, link="/t/qindu/feedback/1"),
        services.Draft(Audience.of(a.id, b.id), kind="feedback_for_party", title=title, urgent=True),
        services.Draft(Audience.district_members(), kind="everyone", title=title)])  # its own fan-out
    assert len(ids) == 3 and len(jobs.queued()) == 1
    await jobs.run_due()
    rows = {n.id: n for n in await scope.objects(Notification)}
    assert [(rows[i].recipients, rows[i].fan_out_cursor, rows[i].fanned_out_at is not None) for i in ids] == [
        (1, a.id, True), (2, b.id, True), (2, b.id, True)]
    assert [rows[i].link for i in ids] == ["/t/qindu/feedback/1", "", ""]
    assert await services.unread_count(scope, a.id) - before[a.id] == 3
    assert await services.unread_count(scope, b.id) - before[b.id] == 2
    assert (await _titles(scope, b.id))[0] == "QD-2026-000001已受理。"
    # SMS is for urgent messages by default: one each, of the urgent one.
    assert sorted(m.person for m in await scope.objects(ChannelMessage) if m.id not in sent) == [a.id, b.id]
    assert await services.fan_out_many(tenant.id, ids) == 0  # run again: nothing more
    assert await scope.count(InboxEntry) == entries + 5
    with pytest.raises(ValueError):
        await services.notify_many(scope, [services.Draft(Audience.of(a.id), kind="x", title=title,
                                                          link="https://elsewhere.example/")])


async def test_quiet_until():
    start = datetime(2026, 11, 30, 21, 59, tzinfo=clock.CHINA)
    assert services.quiet_until(start, 22, 7) is None
    assert clock.local(services.quiet_until(start + timedelta(minutes=2), 22, 7)) == datetime(
        2026, 12, 1, 7, 0, tzinfo=clock.CHINA)
    assert clock.local(services.quiet_until(datetime(2026, 12, 1, 6, 0, tzinfo=clock.CHINA), 22, 7)) == datetime(
        2026, 12, 1, 7, 0, tzinfo=clock.CHINA)
    assert services.quiet_until(datetime(2026, 12, 1, 13, 0, tzinfo=clock.CHINA), 12, 14) is not None
    assert services.quiet_until(datetime(2026, 12, 1, 13, 0, tzinfo=clock.CHINA), 8, 8) is None


async def test_preferences_are_per_person_with_defaults(make_person):
    person = await make_person()
    assert (await services.preference(person.id)).sms == "urgent"
    await services.save_preference(person.id, email="off", sms="all", quiet_start=23, quiet_end=6)
    await services.save_preference(person.id, email="off", sms="all", quiet_start=21, quiet_end=6)
    assert await NotificationPreference.count() == 1
    assert (await services.preference(person.id)).quiet_start == 21
