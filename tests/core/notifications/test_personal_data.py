"""A person's notifications are in their data download and go when they are erased."""

from core.accounts import personal_data
from core.i18n import Message
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry, NotificationPreference
from core.push import services as push
from core.push.tables import PushSubscription
from core.tenancy import TenantScope
from tests.http import count_everywhere


def _subscription(n: int) -> dict[str, str]:
    return {"endpoint": f"https://fcm.googleapis.com/fcm/send/device-{n}", "auth": "A" * 22,
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"}


async def test_export_and_erasure_cover_every_districts_inbox(tenant, other_tenant, make_person, jobs):
    person = await make_person("刘芳", "13800000021")
    neighbour = await make_person("陈明", "13800000022")
    for district in (tenant, other_tenant):
        await services.notify(TenantScope(district.id), Audience.of(person.id, neighbour.id), kind="test",
                              title=Message("Messages"), link=f"/t/{district.slug}/")
        await push.subscribe(TenantScope(district.id), person.id, _subscription(district.id), "Chrome/130 Android 14")
    await push.subscribe(TenantScope(tenant.id), neighbour.id, _subscription(99), "")
    await services.save_preference(person.id, email="off", sms="all", quiet_start=23, quiet_end=6, push="urgent")
    await jobs.run_due()

    exported = await personal_data.export(person.id)
    assert exported["notification_preferences"] == {"email": "off", "sms": "all", "push": "urgent", "quiet_start": 23,
                                                    "quiet_end": 6}
    assert sorted(entry["tenant_id"] for entry in exported["inbox"]) == sorted([tenant.id, other_tenant.id])
    devices = exported["push_devices"]
    assert sorted(device["tenant_id"] for device in devices) == sorted([tenant.id, other_tenant.id])
    assert {device["label"] for device in devices} == {"Chrome · Android"}
    assert "endpoint" not in devices[0]  # the address is the push service's, not the person's

    await personal_data.erase(person.id)
    assert await count_everywhere(InboxEntry, InboxEntry.person == person.id) == 0
    assert await count_everywhere(InboxEntry, InboxEntry.person == neighbour.id) == 2  # others keep theirs
    assert await NotificationPreference.count().where(NotificationPreference.person == person.id) == 0
    assert await count_everywhere(PushSubscription, PushSubscription.person == person.id) == 0
    assert await count_everywhere(PushSubscription, PushSubscription.person == neighbour.id) == 1
