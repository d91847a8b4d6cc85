"""Push is one more channel: a resident who turned it on is told at once, through their push
service, encrypted for their device and signed with the deployment's VAPID key; one who did not
gets the inbox entry (and SMS if they chose it); a push service that says the subscription is
gone makes it disappear; other failures are tried again with backoff."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts.tables import Person
from core.config import Settings
from core.feedback import services as feedback, workflow
from core.i18n import Message
from core.messaging import outbox
from core.notifications import services as notifications
from core.notifications.audience import Audience
from core.notifications.tables import ChannelMessage
from core.push import services as push, vapid
from core.push.tables import PushSubscription
from core.tenancy import TenantScope
from tests.core.feedback.conftest import place  # noqa: F401  (a district with a resident and its staff)

ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
DAYTIME = datetime(2026, 11, 30, 10, 0, tzinfo=clock.CHINA)


async def _turn_on(scope, person, device) -> int:
    subscription = device.subscription()
    cleaned = push.clean(Settings.from_env(), {"endpoint": subscription["endpoint"], **subscription["keys"]})
    return await push.subscribe(scope, person.id, cleaned, ANDROID)


async def _submitted(place, person, key):  # noqa: F811
    data = {"category": str(place["categories"]["sanitation"].id), "description": "楼道堆放杂物，影响通行。"}
    submission = await feedback.clean(place["scope"], data, person_id=person.id)
    item, _new = await feedback.submit(Settings.from_env(), place["scope"], "qindu", person.id, submission,
                                       idempotency_key=key)
    return item


async def _resolve(place, item):  # noqa: F811
    scope, worker = place["scope"], place["grid_worker"].id
    await workflow.accept(scope, "qindu", item.id, actor_id=worker, revision=1)
    await workflow.start(scope, "qindu", item.id, actor_id=worker, revision=2)
    await workflow.resolve(scope, "qindu", item.id, actor_id=worker, revision=3, what_was_done="已清理楼道杂物。",
                           settings=Settings.from_env())


async def test_a_resolved_item_reaches_the_phone_that_turned_push_on_and_only_the_inbox_otherwise(
        place, make_person, jobs, receiver):  # noqa: F811
    scope = place["scope"]
    clock.set_now(DAYTIME)
    opted_in = place["resident"]
    phone = receiver.device("liu-fang")
    device_id = await _turn_on(scope, opted_in, phone)
    other = await make_person("陈明", "13900000022")
    await notifications.save_preference(other.id, email="off", sms="all", quiet_start=22, quiet_end=7, push="all")
    mine, theirs = await _submitted(place, opted_in, "push-000001"), await _submitted(place, other, "push-000002")
    await jobs.run_due()
    receiver.deliveries.clear()  # what submitting brought (the confirmation), before the resolution

    await _resolve(place, mine)
    await _resolve(place, theirs)
    await jobs.run_due()

    assert receiver.refused == []
    messages = receiver.received("liu-fang")
    assert messages[-1] == {"title": f"{mine.tracking_number}已办结，请对结果进行评价。", "body": "",
                            "url": f"/t/qindu/feedback/{mine.id}", "urgent": False}
    delivery = receiver.deliveries[-1]
    assert delivery.vapid_key == vapid.application_server_key(Settings.from_env())
    assert delivery.claims["sub"].startswith("mailto:") and delivery.claims["aud"] == receiver.origin
    assert delivery.headers["ttl"] == "86400" and delivery.headers["urgency"] == "normal"
    sent = await scope.objects(ChannelMessage).where(ChannelMessage.channel == "push").order_by(ChannelMessage.id)
    assert {message.status for message in sent} == {"sent"} and {message.device for message in sent} == {device_id}
    assert (await scope.get(PushSubscription, device_id)).last_sent_at is not None
    # The other resident: no push of any kind, the inbox entry and the SMS they chose.
    assert {delivery.device for delivery in receiver.deliveries} == {"liu-fang"}
    assert await scope.count(ChannelMessage).where(ChannelMessage.person == other.id,
                                                   ChannelMessage.channel == "push") == 0
    titles = [item.title for item in (await notifications.inbox(scope, other.id))[0]]
    assert f"{theirs.tracking_number}已办结，请对结果进行评价。" in titles
    texts = [sms["text"] for sms in outbox.read(Settings.from_env().outbox_dir / "sms", to="13900000022")]
    assert any(theirs.tracking_number in text and "已办结" in text for text in texts)


async def test_every_device_gets_its_own_push_and_urgent_ones_ignore_quiet_hours(tenant, make_person, jobs, receiver):
    scope = TenantScope(tenant.id)
    person = await make_person("刘芳", "13900000021")
    await Person.update({Person.language: "en"}).where(Person.id == person.id)
    phone, tablet = receiver.device("phone"), receiver.device("tablet")
    await _turn_on(scope, person, phone)
    await _turn_on(scope, person, tablet)
    clock.set_now(datetime(2026, 11, 30, 23, 30, tzinfo=clock.CHINA))  # quiet hours
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/notices",
                               title=Message("Welcome to %(district)s on Gongzhi", {"district": "秦都区"}))
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", urgent=True,
                               title=Message("Messages"))
    await jobs.run_due()
    for name in ("phone", "tablet"):  # the urgent one now, in the reader's language; the other waits
        assert receiver.received(name) == [{"title": "Messages", "body": "", "url": "/t/qindu/", "urgent": True}]
    assert receiver.deliveries[-1].headers["urgency"] == "high"
    clock.set_now(datetime(2026, 12, 1, 7, 0, 5, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert receiver.received("phone")[-1]["title"] == "Welcome to 秦都区 on Gongzhi"
    assert len(receiver.received("tablet")) == 2


async def test_a_subscription_the_push_service_calls_gone_disappears(tenant, make_person, jobs, receiver):
    scope = TenantScope(tenant.id)
    clock.set_now(DAYTIME)
    person = await make_person("刘芳", "13900000021")
    kept, dropped = receiver.device("kept"), receiver.device("dropped")
    await _turn_on(scope, person, kept)
    gone = await _turn_on(scope, person, dropped)
    receiver.answer("dropped", 410)
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await jobs.run_due()
    assert len(receiver.received("kept")) == 1
    assert [delivery.status for delivery in receiver.deliveries if delivery.device == "dropped"] == [410]
    assert await scope.get(PushSubscription, gone) is None
    assert [device.label for device in await push.devices(scope, person.id)] == ["Chrome · Android"]
    failed = await scope.objects(ChannelMessage).where(ChannelMessage.status == "failed").first()
    assert failed.device == gone and "410" in failed.last_error and failed.attempts == 1
    # The next message goes to the device that is left, once.
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await jobs.run_due()
    assert len(receiver.received("kept")) == 2 and len(receiver.deliveries) == 3


@pytest.mark.parametrize("status", [500, 429, 413])
async def test_other_failures_are_tried_again_with_backoff(tenant, make_person, jobs, receiver, status):
    scope = TenantScope(tenant.id)
    clock.set_now(DAYTIME)
    person = await make_person("刘芳", "13900000021")
    device = receiver.device("busy")
    device_id = await _turn_on(scope, person, device)
    receiver.answer("busy", status)
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await jobs.run_due()
    message = await scope.objects(ChannelMessage).first()
    assert message.status == "pending" and message.attempts == 1 and str(status) in message.last_error
    receiver.answer("busy", 201)
    clock.advance(notifications.CHANNEL_BACKOFF[0] + timedelta(seconds=1))
    await jobs.run_due()
    assert (await scope.objects(ChannelMessage).first()).status == "sent"
    assert len(receiver.received("busy")) == 1
    assert await scope.get(PushSubscription, device_id) is not None


async def test_an_unreachable_push_service_is_tried_again(tenant, make_person, jobs, receiver):
    scope = TenantScope(tenant.id)
    clock.set_now(DAYTIME)
    person = await make_person("刘芳", "13900000021")
    device = receiver.device("away")
    device.endpoint = "http://127.0.0.1:9/push/away"  # nothing listens on the discard port
    await _turn_on(scope, person, device)
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await jobs.run_due()
    message = await scope.objects(ChannelMessage).first()
    assert message.status == "pending" and message.attempts == 1 and "could not be reached" in message.last_error


async def test_a_device_taken_off_before_its_push_gets_nothing(tenant, make_person, jobs, receiver):
    scope = TenantScope(tenant.id)
    clock.set_now(datetime(2026, 11, 30, 23, 30, tzinfo=clock.CHINA))
    person = await make_person("刘芳", "13900000021")
    device_id = await _turn_on(scope, person, receiver.device("phone"))
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await jobs.run_due()  # waits for the end of quiet hours
    await push.remove(scope, person.id, device_id)
    clock.set_now(datetime(2026, 12, 1, 7, 0, 5, tzinfo=clock.CHINA))
    await jobs.run_due()
    assert receiver.deliveries == []
    assert (await scope.objects(ChannelMessage).first()).status == "failed"


async def test_push_can_be_limited_to_urgent_messages_or_turned_off(tenant, make_person, jobs, receiver):
    scope = TenantScope(tenant.id)
    clock.set_now(DAYTIME)
    person = await make_person("刘芳", "13900000021")
    await _turn_on(scope, person, receiver.device("phone"))
    await notifications.save_preference(person.id, email="all", sms="off", quiet_start=22, quiet_end=7, push="urgent")
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"))
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"),
                               urgent=True)
    await jobs.run_due()
    assert [message["urgent"] for message in receiver.received("phone")] == [True]
    await notifications.save_preference(person.id, email="all", sms="off", quiet_start=22, quiet_end=7, push="off")
    await notifications.notify(scope, Audience.of(person.id), kind="test", link="/t/qindu/", title=Message("Messages"),
                               urgent=True)
    await jobs.run_due()
    assert len(receiver.received("phone")) == 1
